// The outbox: e-mail is written to a table in the caller's transaction and delivered later by whichever app
// instance claims it first (PostgreSQL's FOR UPDATE SKIP LOCKED), so sending never holds up a request and a
// message that could not be sent is retried with backoff.
import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { outbox } from '../db/schema'
import { log as defaultLog, type Logger } from '../log'
import type { MailMessage, MailTransport } from './transport'

const MailMessageSchema = z.object({
  to: z.email(),
  // A line break in a header is how a message grows headers nobody wrote.
  subject: z
    .string()
    .min(1)
    .regex(/^[^\r\n]*$/, 'one line'),
  text: z.string().min(1),
  html: z.string().min(1),
})

/**
 * Queues `message`; pass the caller's transaction as `db` so the message exists exactly when the caller's change
 * committed. Nothing is sent here: call the worker's nudge() after the commit to send it promptly.
 *
 * It is due at `now` on the app's clock, the one deliverDueMail compares with: left to the database's now(), which
 * counts microseconds, a message queued in the same millisecond as a round looked not yet due to it.
 */
export async function enqueueMail(db: Db, message: MailMessage, now = new Date()): Promise<{ id: string }> {
  const values = MailMessageSchema.parse(message)
  const [row] = await db
    .insert(outbox)
    .values({ ...values, nextAttemptAt: now })
    .returning({ id: outbox.id })
  if (!row) throw new Error('the outbox insert returned no row')
  return row
}

/**
 * Withdraws messages not sent yet (their link died: an invitation revoked, resent or its workspace deleted), in the
 * caller's transaction. They are kept as failed with the reason, so the record of what was queued stays whole.
 */
export async function cancelPendingMail(db: Db, ids: readonly string[], reason: string): Promise<void> {
  if (ids.length === 0) return
  await db
    .update(outbox)
    .set({ status: 'failed', lastError: `cancelled: ${reason}` })
    .where(and(inArray(outbox.id, [...ids]), eq(outbox.status, 'pending')))
}

/** After the first failed attempt, wait this long before the next; once they are used up, the message has failed. */
export const RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000, 6 * 60 * 60_000] as const

export type DeliveryOptions = {
  /** Attempts before a message is given up as failed. */
  maxAttempts: number
  /** How long one send may take before it counts as failed. */
  sendTimeoutMs: number
  /** Messages claimed per round. */
  batchSize: number
  log: Logger
}

const DEFAULTS: DeliveryOptions = { maxAttempts: RETRY_DELAYS_MS.length + 1, sendTimeoutMs: 20_000, batchSize: 20, log: defaultLog }

export type DeliveryReport = { sent: number; retrying: number; failed: number }

/**
 * Sends the messages due at `now`. Each is claimed in one short statement that bumps its attempts and pushes its
 * next_attempt_at out by a lease, so a second worker skips it (locked) or no longer finds it due (leased); the
 * sending happens after that commit, outside any lock. A worker that dies mid-send leaves its messages to be
 * claimed again when the lease ends.
 */
export async function deliverDueMail(
  db: Db,
  transport: MailTransport,
  now: Date,
  options: Partial<DeliveryOptions> = {},
): Promise<DeliveryReport> {
  const opts = { ...DEFAULTS, ...options }
  // Longer than any send of the batch can take, since they run side by side and each is cut off at the timeout.
  const leaseUntil = new Date(now.getTime() + 2 * opts.sendTimeoutMs + 30_000)
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(outbox.nextAttemptAt)
    .limit(opts.batchSize)
    .for('update', { skipLocked: true })
  const claimed = await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: leaseUntil })
    .where(inArray(outbox.id, due))
    .returning()

  const outcomes = await Promise.all(
    claimed.map(async (row) => {
      try {
        await withTimeout(
          transport.send({ to: row.to, subject: row.subject, text: row.text, html: row.html, id: row.id }),
          opts.sendTimeoutMs,
        )
      } catch (error) {
        return recordFailure(db, row, error, now, opts)
      }
      await db.update(outbox).set({ status: 'sent', sentAt: now, lastError: null }).where(eq(outbox.id, row.id))
      return 'sent' as const
    }),
  )
  return {
    sent: outcomes.filter((o) => o === 'sent').length,
    retrying: outcomes.filter((o) => o === 'retrying').length,
    failed: outcomes.filter((o) => o === 'failed').length,
  }
}

type ClaimedRow = typeof outbox.$inferSelect

async function recordFailure(db: Db, row: ClaimedRow, error: unknown, now: Date, opts: DeliveryOptions) {
  const lastError = describeFailure(error)
  const givingUp = row.attempts >= opts.maxAttempts
  const delay = RETRY_DELAYS_MS[Math.min(row.attempts, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]
  // Only while this worker's claim still stands: a worker that took the message over after the lease ended (and
  // perhaps sent it) has the last word.
  await db
    .update(outbox)
    .set(givingUp ? { status: 'failed', lastError } : { nextAttemptAt: new Date(now.getTime() + delay), lastError })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, 'pending'), eq(outbox.attempts, row.attempts)))
  const fields = { id: row.id, attempt: row.attempts, error: lastError }
  if (givingUp) opts.log.error('mail not sent: giving up', fields)
  else opts.log.warn('mail not sent: will retry', { ...fields, retryInMs: delay })
  return givingUp ? ('failed' as const) : ('retrying' as const)
}

export class SendTimeout extends Error {
  override name = 'SendTimeout'
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeout(`no answer from the mail server within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const MAX_ERROR_LENGTH = 300

/** A failure as stored in last_error and logged: the error's code and first line, with any URL credentials removed. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : ''
  const firstLine = message.split('\n', 1)[0] ?? ''
  return `${code}${firstLine}`.replace(/\/\/[^/@\s]*@/g, '//[redacted]@').slice(0, MAX_ERROR_LENGTH)
}
