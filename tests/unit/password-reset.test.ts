// "Forgot password?": the same answer for every address, with the lookup and e-mail after the answer; throttles per
// address and per client address; a single-use one-hour link that sets a new password and ends every session.
import { randomUUID } from 'node:crypto'
import { hashPassword, verifyPassword } from 'better-auth/crypto'
import { eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { askForPasswordReset, type PasswordResetLimits, RESET_REQUESTED } from '../../src/server/auth/password-reset'
import type { Database } from '../../src/server/db/client'
import { outbox, rateLimits, session } from '../../src/server/db/schema'
import { RateLimited, Unauthenticated, ValidationError } from '../../src/server/errors'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import { LINK_USED_OR_EXPIRED, linkIsOpen, requestReset, resetPassword } from '../../src/server/services/password-reset'
import * as tokens from '../../src/server/services/tokens'
import { type Accounts, APP_URL, accountsOn, linkMailedTo, mailsTo } from '../support/accounts'
import { contextFor, createTestDatabase, sessionActor } from '../support/db'

let database: Database
let accounts: Accounts
beforeAll(async () => {
  database = await createTestDatabase()
  accounts = accountsOn(database)
})
afterAll(() => database.close())

const HOUR = 60 * 60 * 1000
const NEW_PASSWORD = 'a brand new passphrase'
const deps = (now = new Date()) => ({ db: database.db, now, appUrl: APP_URL, passwords: { hash: hashPassword, verify: verifyPassword } })
const resetLink = (to: string) => linkMailedTo(database, to, /^Reset your Twofold password$/, '/reset-password')
const sessionsOf = async (userId: string) => database.db.select({ id: session.id }).from(session).where(eq(session.userId, userId))

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )
}

describe('asking for a link', () => {
  function limits(prefix: string): PasswordResetLimits {
    return {
      passwordResets: createRateLimiter(database.db, { name: `${prefix}-reset`, points: 3, durationSeconds: 3600 }),
      passwordResetsByIp: createRateLimiter(database.db, { name: `${prefix}-reset-ip`, points: 5, durationSeconds: 3600 }),
    }
  }
  function edge(prefix: string, ip: string) {
    const queued: Array<() => Promise<void>> = []
    let nudged = 0
    const d = {
      db: database.db,
      limits: limits(prefix),
      headers: new Headers({ 'x-twofold-peer-address': ip }),
      appUrl: APP_URL,
      now: new Date(),
      later: (work: () => Promise<void>) => void queued.push(work),
      mailQueued: () => {
        nudged += 1
      },
    }
    return { d, queued, nudged: () => nudged }
  }

  test('answers the same for an address with an account and one without, and does the work only after answering', async () => {
    const { email } = await accounts.signUp()
    const unknown = `nobody-${randomUUID().slice(0, 8)}@example.test`
    const known = edge('same', '198.51.100.1')
    const none = edge('same', '198.51.100.2')
    const answers = [await askForPasswordReset(known.d, { email }), await askForPasswordReset(none.d, { email: unknown })]
    expect(answers).toEqual([{ message: RESET_REQUESTED }, { message: RESET_REQUESTED }])
    // Nothing was looked up or queued yet: that is the deferred work.
    expect((await mailsTo(database, email)).filter((m) => /Reset/.test(m.subject))).toEqual([])
    expect(known.queued).toHaveLength(1)
    expect(none.queued).toHaveLength(1)
    await Promise.all([...known.queued, ...none.queued].map((work) => work()))
    expect((await mailsTo(database, email)).filter((m) => /Reset/.test(m.subject))).toHaveLength(1)
    expect(await mailsTo(database, unknown)).toEqual([])
    expect([known.nudged(), none.nudged()]).toEqual([1, 0])
  })

  test('an address may ask three times an hour, whether or not it has an account', async () => {
    for (const email of [(await accounts.signUp()).email, `nobody-${randomUUID().slice(0, 8)}@example.test`]) {
      const prefix = randomUUID().slice(0, 6)
      for (let i = 0; i < 3; i++) await askForPasswordReset(edge(prefix, `198.51.100.${10 + i}`).d, { email })
      const refused = await failure(askForPasswordReset(edge(prefix, '198.51.100.20').d, { email }))
      expect(refused).toBeInstanceOf(RateLimited)
      expect((refused as Error).message).toMatch(/^Too many requests\. Try again in \d+ minutes?\.$/)
    }
  })

  test('one client address may ask for five addresses an hour', async () => {
    const prefix = randomUUID().slice(0, 6)
    for (let i = 0; i < 5; i++) await askForPasswordReset(edge(prefix, '198.51.100.30').d, { email: `walk-${i}@example.test` })
    expect(await failure(askForPasswordReset(edge(prefix, '198.51.100.30').d, { email: 'walk-6@example.test' }))).toBeInstanceOf(
      RateLimited,
    )
    // Another client is unaffected.
    await expect(askForPasswordReset(edge(prefix, '198.51.100.31').d, { email: 'walk-6@example.test' })).resolves.toEqual({
      message: RESET_REQUESTED,
    })
  })

  test('a client already refused adds no row per address it goes on to try (40 requests: 5 address rows, 1 client row)', async () => {
    const prefix = randomUUID().slice(0, 6)
    for (let i = 0; i < 40; i++) {
      await askForPasswordReset(edge(prefix, '198.51.100.35').d, { email: `walk-${i}@example.test` }).catch((e: unknown) => {
        if (!(e instanceof RateLimited)) throw e
      })
    }
    const rows = await database.db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(like(rateLimits.key, `${prefix}-%`))
    expect(rows.filter((row) => row.key.startsWith(`${prefix}-reset:email:`))).toHaveLength(5)
    expect(rows.filter((row) => row.key.startsWith(`${prefix}-reset-ip:`))).toHaveLength(1)
    expect(rows).toHaveLength(6)
  })

  test('a malformed address is a field error', async () => {
    const error = await failure(askForPasswordReset(edge('bad', '198.51.100.40').d, { email: 'not an address' }))
    expect((error as ValidationError).fieldErrors).toEqual({ email: ['Enter a valid email address.'] })
  })
})

describe('the link', () => {
  test('sets the new password, ends every session of the account, and works once; API tokens keep working', async () => {
    const { userId, email, slug } = await accounts.signUp('Grace')
    await accounts.signIn(email)
    const { token } = await tokens.create(contextFor(database, sessionActor(userId), undefined, slug), {
      name: 'CI',
      scopes: ['projects:read'],
    })
    expect((await sessionsOf(userId)).length).toBe(2)
    expect(await requestReset(deps(), email)).toBe(true)
    const { mail, secret } = await resetLink(email)
    expect(mail.text).toContain('Hello Grace,')
    expect(mail.text).toContain(`${APP_URL}/reset-password?token=${secret}`)
    expect(mail.text).toMatch(/The link works once and expires on .+ UTC\./)
    expect(await linkIsOpen(deps(), secret)).toBe(true)

    expect(await resetPassword(deps(), { token: secret, password: NEW_PASSWORD })).toEqual({ userId })
    expect(await sessionsOf(userId)).toEqual([])
    expect(await linkIsOpen(deps(), secret)).toBe(false)
    const again = await failure(resetPassword(deps(), { token: secret, password: 'yet another one' }))
    expect(again).toEqual(new ValidationError({ _: [LINK_USED_OR_EXPIRED] }, LINK_USED_OR_EXPIRED))
    // The new password signs in; the old one does not.
    await expect(accounts.signIn(email, NEW_PASSWORD)).resolves.toEqual(expect.any(String))
    expect(await failure(accounts.signIn(email))).toBeInstanceOf(Unauthenticated)
    expect(await tokens.authenticate(database.db, token, new Date())).toMatchObject({ userId, via: 'token' })
  })

  test('expires after an hour, and a newer link replaces an older one', async () => {
    const { userId, email } = await accounts.signUp()
    await requestReset(deps(), email)
    const first = await resetLink(email)
    const late = deps(new Date(Date.now() + HOUR + 1000))
    expect(await linkIsOpen(late, first.secret)).toBe(false)
    expect(await failure(resetPassword(late, { token: first.secret, password: NEW_PASSWORD }))).toBeInstanceOf(ValidationError)
    await requestReset(deps(new Date(Date.now() + 1000)), email)
    const second = (await database.db.select().from(outbox).where(eq(outbox.to, email))).filter((m) => /Reset/.test(m.subject)).length
    expect(second).toBe(2)
    expect(await linkIsOpen(deps(), first.secret)).toBe(false)
    expect((await sessionsOf(userId)).length).toBe(1)
  })

  test('an address that asks and has no account gets nothing', async () => {
    const unknown = `nobody-${randomUUID().slice(0, 8)}@example.test`
    expect(await requestReset(deps(), unknown)).toBe(false)
    expect(await mailsTo(database, unknown)).toEqual([])
  })

  test('a too-short new password is a field error and leaves the link usable', async () => {
    const { email } = await accounts.signUp()
    await requestReset(deps(), email)
    const { secret } = await resetLink(email)
    const error = await failure(resetPassword(deps(), { token: secret, password: 'short' }))
    expect((error as ValidationError).fieldErrors).toEqual({ password: ['Password must be at least 8 characters.'] })
    expect(await linkIsOpen(deps(), secret)).toBe(true)
  })
})
