// Confirming an address: the e-mail sign-up queues, its single-use 24-hour link, resending (throttled, replacing the
// old link), moving the account to a new address only once that address confirms, and invitations proving addresses.
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { user } from '../../src/server/db/schema'
import { Conflict, Forbidden, RateLimited, type ValidationError } from '../../src/server/errors'
import * as settings from '../../src/server/services/account-settings'
import { confirmAddress, confirmEmailChange, RESEND_INTERVAL_MS, resendVerification } from '../../src/server/services/email-verification'
import * as invitations from '../../src/server/services/invitations'
import { type Accounts, accountsOn, linkMailedTo, mailsTo, PASSWORD } from '../support/accounts'
import { contextFor, createTestDatabase, createUser } from '../support/db'

let database: Database
let accounts: Accounts
beforeAll(async () => {
  database = await createTestDatabase()
  accounts = accountsOn(database)
})
afterAll(() => database.close())

const HOUR = 60 * 60 * 1000
const verified = async (userId: string) => (await database.db.select({ v: user.emailVerified }).from(user).where(eq(user.id, userId)))[0]?.v
const emailOf = async (userId: string) => (await database.db.select({ e: user.email }).from(user).where(eq(user.id, userId)))[0]?.e
const later = (ms: number) => () => new Date(Date.now() + ms)
const verifyLink = (to: string) => linkMailedTo(database, to, /^Confirm your e-mail address/, '/verify-email')

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )
}

describe('the e-mail sent at sign-up', () => {
  test('carries a link to our page that confirms the address once, and says how long it works', async () => {
    const { userId, email } = await accounts.signUp('Ada')
    expect(await verified(userId)).toBe(false)
    const { mail, secret } = await verifyLink(email)
    expect(mail.subject).toBe('Confirm your e-mail address for Twofold')
    expect(mail.text).toContain('Hello Ada,')
    expect(mail.text).toMatch(/The link works once and expires on .+ UTC\./)
    expect(mail.html).toContain(`href="http://app.test/verify-email?token=${secret}"`)
    expect(await confirmAddress({ db: database.db, now: new Date() }, secret)).toEqual({ status: 'confirmed', email })
    expect(await verified(userId)).toBe(true)
    // Single use.
    expect(await confirmAddress({ db: database.db, now: new Date() }, secret)).toEqual({ status: 'invalid' })
  })

  test('a link older than 24 hours confirms nothing', async () => {
    const { userId, email } = await accounts.signUp()
    const { secret } = await verifyLink(email)
    expect(await confirmAddress({ db: database.db, now: new Date(Date.now() + 24 * HOUR + 1000) }, secret)).toEqual({ status: 'invalid' })
    expect(await verified(userId)).toBe(false)
  })

  test('a made-up or mangled token confirms nothing', async () => {
    for (const token of ['', 'x', 'a'.repeat(43), '../../etc/passwd', `${'b'.repeat(40)}%`]) {
      expect(await confirmAddress({ db: database.db, now: new Date() }, token)).toEqual({ status: 'invalid' })
    }
  })
})

describe('sending it again', () => {
  test('waits a minute between e-mails, and the new link replaces the old one', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    const first = await verifyLink(email)
    const tooSoon = await failure(resendVerification(accounts.context(userId, sessionId)))
    expect(tooSoon).toBeInstanceOf(RateLimited)
    expect((tooSoon as RateLimited).message).toMatch(/^A confirmation e-mail was just sent\. You can ask for another in \d+ seconds\.$/)
    await resendVerification(accounts.context(userId, sessionId, later(RESEND_INTERVAL_MS + 1000)))
    const second = await verifyLink(email)
    expect(second.secret).not.toBe(first.secret)
    expect(await confirmAddress({ db: database.db, now: new Date() }, first.secret)).toEqual({ status: 'invalid' })
    expect(await confirmAddress({ db: database.db, now: new Date() }, second.secret)).toEqual({ status: 'confirmed', email })
  })

  test('is refused once the address is confirmed, and to an API token', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    await confirmAddress({ db: database.db, now: new Date() }, (await verifyLink(email)).secret)
    expect(await failure(resendVerification(accounts.context(userId, sessionId, later(2 * 60_000))))).toEqual(
      new Conflict('Your address is already confirmed.'),
    )
    const token = { type: 'user', userId, via: 'token', tokenId: 't', scopes: [], workspaceId: randomUUID(), role: 'owner' } as const
    expect(await failure(resendVerification(contextFor(database, token)))).toBeInstanceOf(Forbidden)
  })
})

describe('changing the address', () => {
  test('needs the current password; the new address replaces the old only once it confirms, and is then confirmed', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    const ctx = accounts.context(userId, sessionId)
    const newEmail = `moved-${randomUUID().slice(0, 8)}@example.test`
    const wrong = await failure(settings.requestEmailChange(ctx, { email: newEmail, password: 'not it at all' }))
    expect((wrong as ValidationError).fieldErrors).toEqual({ password: [settings.WRONG_PASSWORD] })
    expect(await settings.requestEmailChange(ctx, { email: newEmail, password: PASSWORD })).toEqual({ email: newEmail })
    expect(await emailOf(userId)).toBe(email)
    const { mail, secret } = await linkMailedTo(database, newEmail, /new e-mail address/, '/verify-email/change')
    expect(mail.text).toContain(`change the e-mail address of your Twofold account to ${newEmail}`)
    const oldLink = await verifyLink(email)
    expect(await confirmEmailChange({ db: database.db, now: new Date() }, secret)).toEqual({ status: 'confirmed', email: newEmail })
    expect(await emailOf(userId)).toBe(newEmail)
    expect(await verified(userId)).toBe(true)
    const notice = (await mailsTo(database, email)).find((m) => m.subject === 'Your Twofold e-mail address was changed')
    expect(notice?.text).toContain(`changed from ${email} to ${newEmail}`)
    // Used once; and the link sent to the old address died with it.
    expect(await confirmEmailChange({ db: database.db, now: new Date() }, secret)).toEqual({ status: 'invalid' })
    expect(await confirmAddress({ db: database.db, now: new Date() }, oldLink.secret)).toEqual({ status: 'invalid' })
    // The new address signs in.
    await expect(accounts.signIn(newEmail)).resolves.toEqual(expect.any(String))
  })

  test('an address another account has is refused at once, and one taken meanwhile changes nothing', async () => {
    const a = await accounts.signUp()
    const b = await accounts.signUp()
    const ctx = accounts.context(a.userId, a.sessionId)
    const taken = await failure(settings.requestEmailChange(ctx, { email: b.email, password: PASSWORD }))
    expect((taken as ValidationError).fieldErrors).toEqual({ email: ['Another account uses this address.'] })
    const target = `contested-${randomUUID().slice(0, 8)}@example.test`
    await settings.requestEmailChange(ctx, { email: target, password: PASSWORD })
    const { secret } = await linkMailedTo(database, target, /new e-mail address/, '/verify-email/change')
    await database.db.update(user).set({ email: target }).where(eq(user.id, b.userId))
    expect(await confirmEmailChange({ db: database.db, now: new Date() }, secret)).toEqual({ status: 'taken' })
    expect(await emailOf(a.userId)).toBe(a.email)
  })

  test('a change link older than 24 hours changes nothing', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    const newEmail = `late-${randomUUID().slice(0, 8)}@example.test`
    await settings.requestEmailChange(accounts.context(userId, sessionId), { email: newEmail, password: PASSWORD })
    const { secret } = await linkMailedTo(database, newEmail, /new e-mail address/, '/verify-email/change')
    expect(await confirmEmailChange({ db: database.db, now: new Date(Date.now() + 24 * HOUR + 1000) }, secret)).toEqual({
      status: 'invalid',
    })
    expect(await emailOf(userId)).toBe(email)
  })
})

describe('invitations', () => {
  test('accepting one from its mailed link confirms the address it was sent to', async () => {
    const inviter = await createUser(database, 'Inviter')
    const invitee = await accounts.signUp('Invitee')
    const invitation = await invitations.create(contextFor(database, { type: 'user', userId: inviter, via: 'session' }), {
      email: invitee.email,
      role: 'member',
    })
    const mail = (await mailsTo(database, invitee.email)).find((m) => /invited you/.test(m.subject))
    const secret = mail?.text.match(/\/invitations\/([A-Za-z0-9_-]+)/)?.[1] ?? ''
    expect(invitation.email).toBe(invitee.email)
    expect(await verified(invitee.userId)).toBe(false)
    await invitations.accept(accounts.context(invitee.userId, invitee.sessionId), { token: secret })
    expect(await verified(invitee.userId)).toBe(true)
  })
})
