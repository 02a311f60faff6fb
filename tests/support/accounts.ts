// People with real Better Auth accounts (a password, sessions with a user agent and address), for the account
// lifecycle suites, and the links the account e-mails carry, read back from the outbox.
import { randomUUID } from 'node:crypto'
import { desc, eq } from 'drizzle-orm'
import { type AccountDeps, signIn, signUp } from '../../src/server/auth/accounts'
import { type Auth, createAuth } from '../../src/server/auth/auth'
import type { Database } from '../../src/server/db/client'
import { memberships, outbox, session, workspaces } from '../../src/server/db/schema'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import type { ServiceContext } from '../../src/server/services/context'
import { contextFor } from './db'

export const APP_URL = 'http://app.test'
export const PASSWORD = 'correct horse battery'

export type Accounts = {
  auth: Auth
  /** Signs up a new person (from their own client address) and returns who they are, signed in once. */
  signUp(name?: string): Promise<{ userId: string; email: string; sessionId: string; slug: string }>
  /** Signs `email` in again, as another device; returns the new session's id. */
  signIn(email: string, password?: string, userAgent?: string): Promise<string>
  /** A session context for `userId` on the session `sessionId` (their personal workspace). */
  context(userId: string, sessionId?: string, now?: () => Date): ServiceContext
}

let counter = 0

export function accountsOn(database: Database): Accounts {
  const auth = createAuth(database.db, { appUrl: APP_URL, authSecret: 'a'.repeat(32), env: 'test' })
  // Generous budgets: these suites test what happens after sign-in, not the sign-in throttle.
  const limits = {
    signInFailures: createRateLimiter(database.db, { name: 'acc-sign-in', points: 1000, durationSeconds: 900 }),
    signInFailuresByIp: createRateLimiter(database.db, { name: 'acc-sign-in-ip', points: 1000, durationSeconds: 900 }),
    signUps: createRateLimiter(database.db, { name: 'acc-sign-up', points: 1000, durationSeconds: 3600 }),
  }
  const deps = (userAgent: string): AccountDeps => {
    counter += 1
    const headers = new Headers({ 'x-twofold-peer-address': `192.0.2.${counter % 250}`, 'user-agent': userAgent })
    return { auth, limits, headers }
  }
  const newestSession = async (userId: string) => {
    const [row] = await database.db
      .select({ id: session.id })
      .from(session)
      .where(eq(session.userId, userId))
      .orderBy(desc(session.createdAt))
    if (!row) throw new Error(`no session for ${userId}`)
    return row.id
  }
  return {
    auth,
    async signUp(name = 'Person') {
      const email = `person-${randomUUID().slice(0, 8)}@example.test`
      const { userId } = await signUp(deps(FIREFOX_MAC), { name, email, password: PASSWORD })
      const [personal] = await database.db
        .select({ slug: workspaces.slug })
        .from(memberships)
        .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
        .where(eq(memberships.userId, userId))
      if (!personal) throw new Error(`no personal workspace for ${userId}`)
      return { userId, email, sessionId: await newestSession(userId), slug: personal.slug }
    },
    async signIn(email, password = PASSWORD, userAgent = CHROME_ANDROID) {
      const { userId } = await signIn(deps(userAgent), { email, password })
      return newestSession(userId)
    },
    context(userId, sessionId, now) {
      const ctx = contextFor(database, { type: 'user', userId, via: 'session', sessionId }, now)
      return { ...ctx, appUrl: APP_URL }
    },
  }
}

export const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0'
export const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36'

/** The newest e-mail queued to `to` whose subject matches, and the secret of the link in it to `path`. */
export async function linkMailedTo(database: Database, to: string, subject: RegExp, path: string) {
  const rows = await database.db.select().from(outbox).where(eq(outbox.to, to)).orderBy(desc(outbox.createdAt))
  const mail = rows.find((row) => subject.test(row.subject))
  if (!mail) throw new Error(`no mail to ${to} matching ${subject}`)
  const url = new URL(mail.text.match(new RegExp(`${APP_URL}${path}\\?token=\\S+`))?.[0] ?? 'http://none.test')
  const secret = url.searchParams.get('token')
  if (!secret) throw new Error(`no ${path} link in the mail to ${to}:\n${mail.text}`)
  return { mail, secret }
}

/** Every e-mail queued to `to`, oldest first. */
export async function mailsTo(database: Database, to: string) {
  return database.db.select().from(outbox).where(eq(outbox.to, to)).orderBy(outbox.createdAt)
}
