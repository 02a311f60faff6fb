// The dev mailbox's reads: the outbox's rows are the mail the app sent, so development needs no mail server.
// Development only, like everything under src/dev: only the dev mailbox's page and route (*.dev.tsx, *.dev.ts) import it.
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../server/db/client'
import { outbox } from '../server/db/schema'

export type MailboxEntry = Pick<
  typeof outbox.$inferSelect,
  'id' | 'to' | 'subject' | 'text' | 'status' | 'attempts' | 'lastError' | 'createdAt' | 'sentAt'
>

/** The newest `limit` messages, newest first. */
export async function recentMail(db: Db, limit = 50): Promise<MailboxEntry[]> {
  return db
    .select({
      id: outbox.id,
      to: outbox.to,
      subject: outbox.subject,
      text: outbox.text,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(limit)
}

/** A message's HTML body, or null if there is no such message (or `id` is not even a uuid). */
export async function mailHtml(db: Db, id: string): Promise<string | null> {
  if (!z.uuid().safeParse(id).success) return null
  const [row] = await db.select({ html: outbox.html }).from(outbox).where(eq(outbox.id, id))
  return row?.html ?? null
}

// A link ends before trailing punctuation, as in "open https://…/x." at the end of a sentence.
const URL_IN_TEXT = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]])/

/** A plain-text body cut into text and http(s) links, for the mailbox page to make the links clickable. */
export function textWithLinks(text: string): { text: string; href?: string }[] {
  // split() with a capturing group puts each URL at an odd index.
  return text
    .split(URL_IN_TEXT)
    .map((part, i) => (i % 2 === 1 ? { text: part, href: part } : { text: part }))
    .filter((part) => part.text !== '')
}
