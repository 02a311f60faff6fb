// The invitations service on a real database: the e-mail queued with the invitation, resending with a fresh link,
// revoking, expiry, accepting exactly once with the invited address, and delivery through a real SMTP server.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { invitations as invitationsTable, memberships, outbox, user, workspaces } from '../../src/server/db/schema'
import { AppError } from '../../src/server/errors'
import { deliverDueMail } from '../../src/server/mail/outbox'
import { smtpTransport } from '../../src/server/mail/transport'
import type { Role, ServiceContext } from '../../src/server/services/context'
import * as invitations from '../../src/server/services/invitations'
import * as members from '../../src/server/services/members'
import { WORKSPACES_PER_PERSON_MAX } from '../../src/server/services/workspaces'
import { captureLogger, type LogLine } from '../support/api'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'
import { freePort } from '../support/server'
import { startSmtpServer } from '../support/smtp'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** A clock a test moves by hand. */
function clock(start = new Date()) {
  let now = start.getTime()
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms
    },
  }
}

type Team = { slug: string; id: string; ownerId: string; as(userId: string, now?: () => Date): ServiceContext }

async function newTeam(name = 'Olive Owner'): Promise<Team> {
  const ownerId = await createUser(database, name)
  const slug = personalWorkspace(ownerId)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error('no workspace')
  // About invitations, not plans: Pro lifts Free's three-seat limit (tests/unit/plan-limits.test.ts covers it).
  await makePro(database, slug)
  return { slug, id: row.id, ownerId, as: (userId, now) => contextFor(database, sessionActor(userId), now, slug) }
}

async function add(team: Team, role: Role): Promise<string> {
  const userId = await createUser(database, `A ${role}`)
  await database.db.insert(memberships).values({ workspaceId: team.id, userId, role, createdAt: new Date() })
  return userId
}

const emailOf = (userId: string) => `${userId}@example.test`

async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

const LINK = /http:\/\/app\.test\/invitations\/([A-Za-z0-9_-]+)/

/** The outbox row carrying the invitation's latest link, and the link's secret. */
async function latestMail(invitationId: string) {
  const [invitation] = await database.db.select().from(invitationsTable).where(eq(invitationsTable.id, invitationId))
  if (!invitation?.mailId) throw new Error('the invitation has no mail')
  const [mail] = await database.db.select().from(outbox).where(eq(outbox.id, invitation.mailId))
  if (!mail) throw new Error('the mail row is gone')
  const token = LINK.exec(mail.text)?.[1]
  if (!token) throw new Error(`no link in ${mail.text}`)
  return { mail, token }
}

const outboxCount = async () => (await database.db.select().from(outbox)).length

describe('inviting', () => {
  test('queues exactly one e-mail with the link, in text and HTML', async () => {
    const team = await newTeam('Olive Owner')
    await database.db.update(workspaces).set({ name: 'Rocket Team' }).where(eq(workspaces.id, team.id))
    const before = await outboxCount()
    const invitation = await invitations.create(team.as(team.ownerId), { email: '  Newcomer@Example.TEST ', role: 'admin' })
    expect(invitation).toMatchObject({ email: 'newcomer@example.test', role: 'admin', status: 'pending', mail: 'sending' })
    expect(invitation.invitedBy).toBe('Olive Owner')
    expect(await outboxCount()).toBe(before + 1)

    const { mail, token } = await latestMail(invitation.id)
    expect(mail).toMatchObject({
      to: 'newcomer@example.test',
      status: 'pending',
      subject: 'Olive Owner invited you to Rocket Team on Twofold',
    })
    const link = `http://app.test/invitations/${token}`
    expect(mail.text).toContain(link)
    expect(mail.html).toContain(`href="${link}"`)
    expect(mail.text).toContain('as an admin')
    // Only the hash is stored: the secret is in the e-mail alone.
    const [row] = await database.db.select().from(invitationsTable).where(eq(invitationsTable.id, invitation.id))
    expect(row?.tokenHash).not.toContain(token)
    expect(await invitations.preview(database.db, token, new Date())).toMatchObject({
      workspaceName: 'Rocket Team',
      email: 'newcomer@example.test',
      role: 'admin',
      invitedBy: 'Olive Owner',
      state: 'open',
    })
    expect((await invitations.list(team.as(team.ownerId))).items.map((i) => i.id)).toEqual([invitation.id])
  })

  test('an existing member is a field error, and nothing is queued', async () => {
    const team = await newTeam()
    const member = await add(team, 'member')
    const before = await domainRows(database)
    const error = await failure(invitations.create(team.as(team.ownerId), { email: emailOf(member).toUpperCase() }))
    expect(error.code).toBe('VALIDATION')
    expect(error).toHaveProperty('fieldErrors.email', [`${emailOf(member)} is already a member of this workspace.`])
    expect(await domainRows(database)).toEqual(before)
  })

  test('an admin cannot invite an owner; an owner can', async () => {
    const team = await newTeam()
    const admin = await add(team, 'admin')
    const before = await domainRows(database)
    const error = await failure(invitations.create(team.as(admin), { email: 'boss@example.test', role: 'owner' }))
    expect(error).toMatchObject({ code: 'FORBIDDEN', message: 'Only an owner of this workspace can do that.' })
    expect(await domainRows(database)).toEqual(before)
    expect(await invitations.create(team.as(team.ownerId), { email: 'boss@example.test', role: 'owner' })).toMatchObject({ role: 'owner' })
  })

  test('an admin can neither resend, revoke nor re-address an owner’s invitation', async () => {
    const team = await newTeam()
    const admin = await add(team, 'admin')
    const time = clock()
    const invitation = await invitations.create(team.as(team.ownerId, time.now), { email: 'future-owner@example.test', role: 'owner' })
    time.advance(2 * MINUTE)
    const asAdmin = team.as(admin, time.now)
    const before = await domainRows(database)
    expect((await failure(invitations.resend(asAdmin, { id: invitation.id }))).code).toBe('FORBIDDEN')
    expect((await failure(invitations.revoke(asAdmin, { id: invitation.id }))).code).toBe('FORBIDDEN')
    // Inviting the same address as a member would turn the owner's invitation into the admin's: refused as well.
    expect((await failure(invitations.create(asAdmin, { email: 'future-owner@example.test', role: 'member' }))).code).toBe('FORBIDDEN')
    expect(await domainRows(database)).toEqual(before)
    // An admin manages the invitations that are not for owners.
    const plain = await invitations.create(asAdmin, { email: 'plain@example.test', role: 'admin' })
    expect(await invitations.revoke(asAdmin, { id: plain.id })).toMatchObject({ id: plain.id })
  })

  test('two invitations of one address at once: one invitation, one e-mail', async () => {
    const team = await newTeam()
    const owner = team.as(team.ownerId)
    const before = await outboxCount()
    const results = await Promise.allSettled([
      invitations.create(owner, { email: 'twice@example.test' }),
      invitations.create(owner, { email: 'twice@example.test' }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((r) => r.status === 'rejected')
    // Serialised, the second finds the first and is throttled; truly at once, the unique index refuses it.
    expect(['RATE_LIMITED', 'CONFLICT']).toContain(refused?.status === 'rejected' && (refused.reason as AppError).code)
    expect((await invitations.list(owner)).items).toHaveLength(1)
    expect(await outboxCount()).toBe(before + 1)
  })

  test('again within a minute is RATE_LIMITED; after it, a new link replaces the old one', async () => {
    const team = await newTeam()
    const time = clock()
    const owner = team.as(team.ownerId, time.now)
    const first = await invitations.create(owner, { email: 'again@example.test' })
    const { token: oldToken } = await latestMail(first.id)
    const queued = await outboxCount()

    time.advance(30_000)
    expect(await failure(invitations.create(owner, { email: 'again@example.test' }))).toMatchObject({ code: 'RATE_LIMITED' })
    expect(await failure(invitations.resend(owner, { id: first.id }))).toMatchObject({ code: 'RATE_LIMITED' })
    expect(await outboxCount()).toBe(queued)

    time.advance(MINUTE)
    const resent = await invitations.resend(owner, { id: first.id })
    expect(resent.id).toBe(first.id)
    expect(resent.lastSentAt).toBe(time.now().toISOString())
    expect(new Date(resent.expiresAt).getTime()).toBe(time.now().getTime() + 7 * DAY)
    const { token: newToken } = await latestMail(first.id)
    expect(newToken).not.toBe(oldToken)
    expect(await outboxCount()).toBe(queued + 1)
    // The first e-mail had not left yet: it never will, with its dead link.
    const firstMails = await database.db.select().from(outbox).where(eq(outbox.to, 'again@example.test'))
    expect(firstMails.map((m) => m.status).sort()).toEqual(['failed', 'pending'])
    expect(firstMails.find((m) => m.status === 'failed')?.lastError).toBe('cancelled: a newer invitation e-mail replaced it')
    expect(await invitations.preview(database.db, oldToken, time.now())).toBeNull()
    expect((await invitations.preview(database.db, newToken, time.now()))?.state).toBe('open')

    // Inviting the same address once more, a minute later, resends the one invitation (with the new role).
    time.advance(MINUTE + 1)
    const reinvited = await invitations.create(owner, { email: 'again@example.test', role: 'admin' })
    expect(reinvited).toMatchObject({ id: first.id, role: 'admin' })
    expect((await invitations.list(owner)).items).toHaveLength(1)

    const invitee = await createUser(database, 'Again')
    await database.db.update(user).set({ email: 'again@example.test' }).where(eq(user.id, invitee))
    const inviteeCtx = contextFor(database, sessionActor(invitee), time.now)
    expect(await failure(invitations.accept(inviteeCtx, { token: oldToken }))).toMatchObject({ code: 'NOT_FOUND' })
    const { token: latest } = await latestMail(first.id)
    expect(await invitations.accept(inviteeCtx, { token: latest })).toMatchObject({ slug: team.slug, role: 'admin' })
  })
})

describe('accepting', () => {
  async function invite(role: Role = 'member', now?: () => Date) {
    const team = await newTeam()
    const invitee = await createUser(database, 'Ivy Invitee')
    const invitation = await invitations.create(team.as(team.ownerId, now), { email: emailOf(invitee), role })
    const { token } = await latestMail(invitation.id)
    return { team, invitee, invitation, token, inviteeCtx: contextFor(database, sessionActor(invitee), now) }
  }

  test('joins with the invited role, and the new member can act at once', async () => {
    const { team, invitee, token, inviteeCtx } = await invite('admin')
    const accepted = await invitations.accept(inviteeCtx, { token })
    expect(accepted).toEqual({ slug: team.slug, workspaceName: 'Olive Owner', role: 'admin' })
    const list = await members.list(team.as(invitee))
    expect(list.items.find((m) => m.userId === invitee)?.role).toBe('admin')
    expect((await invitations.preview(database.db, token, new Date()))?.state).toBe('accepted')
    expect((await invitations.list(team.as(team.ownerId))).items).toEqual([])
  })

  test('twice: one membership, the second is CONFLICT "already been used"', async () => {
    const { team, invitee, token, inviteeCtx } = await invite()
    await invitations.accept(inviteeCtx, { token })
    const error = await failure(invitations.accept(inviteeCtx, { token }))
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'This invitation has already been used.' })
    const rows = await database.db.select().from(memberships).where(eq(memberships.userId, invitee))
    expect(rows.filter((r) => r.workspaceId === team.id)).toHaveLength(1)
  })

  test('two at once: one membership, the other CONFLICT "already been used"', async () => {
    const { team, invitee, token, inviteeCtx } = await invite()
    const results = await Promise.allSettled([invitations.accept(inviteeCtx, { token }), invitations.accept(inviteeCtx, { token })])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((r) => r.status === 'rejected')
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'CONFLICT',
      message: 'This invitation has already been used.',
    })
    const rows = await database.db.select().from(memberships).where(eq(memberships.userId, invitee))
    expect(rows.filter((r) => r.workspaceId === team.id)).toHaveLength(1)
  })

  test('revoked: CONFLICT, the invitation was withdrawn', async () => {
    const { team, token, invitation, inviteeCtx } = await invite()
    await invitations.revoke(team.as(team.ownerId), { id: invitation.id })
    // Its e-mail, not sent yet, is withdrawn with it.
    const [mailRow] = await database.db.select().from(outbox).where(eq(outbox.to, invitation.email))
    expect(mailRow).toMatchObject({ status: 'failed', lastError: 'cancelled: the invitation was revoked' })
    expect((await invitations.preview(database.db, token, new Date()))?.state).toBe('revoked')
    const before = await domainRows(database)
    expect(await failure(invitations.accept(inviteeCtx, { token }))).toMatchObject({
      code: 'CONFLICT',
      message: 'This invitation was withdrawn. Ask the person who invited you to send a new one.',
    })
    expect(await domainRows(database)).toEqual(before)
    // Revoked is history: it is no longer listed, and cannot be resent or revoked again.
    expect(await failure(invitations.resend(team.as(team.ownerId), { id: invitation.id }))).toMatchObject({ code: 'NOT_FOUND' })
  })

  test('seven days later: CONFLICT, expired', async () => {
    const time = clock()
    const { token, inviteeCtx } = await invite('member', time.now)
    time.advance(7 * DAY)
    expect((await invitations.preview(database.db, token, time.now()))?.state).toBe('expired')
    expect(await failure(invitations.accept(inviteeCtx, { token }))).toMatchObject({
      code: 'CONFLICT',
      message: 'This invitation has expired. Ask the person who invited you to send a new one.',
    })
  })

  test('signed in with another address: FORBIDDEN, saying which address to use', async () => {
    const { team, invitee, token } = await invite()
    const someoneElse = await createUser(database, 'Someone Else')
    const before = await domainRows(database)
    const error = await failure(invitations.accept(contextFor(database, sessionActor(someoneElse)), { token }))
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      message: `This invitation is for ${emailOf(invitee)}, and you are signed in as ${emailOf(someoneElse)}. Sign out, then sign in or create an account as ${emailOf(invitee)} to accept it.`,
    })
    expect(await domainRows(database)).toEqual(before)
    expect(
      (await database.db.select().from(memberships).where(eq(memberships.userId, someoneElse))).map((r) => r.workspaceId),
    ).not.toContain(team.id)
  })

  test('someone who joined meanwhile: the invitation is used up and their role stays', async () => {
    const { team, invitee, token, inviteeCtx } = await invite('admin')
    await database.db.insert(memberships).values({ workspaceId: team.id, userId: invitee, role: 'member', createdAt: new Date() })
    expect(await invitations.accept(inviteeCtx, { token })).toMatchObject({ slug: team.slug, role: 'member' })
    expect((await invitations.preview(database.db, token, new Date()))?.state).toBe('accepted')
    const rows = await database.db.select().from(memberships).where(eq(memberships.userId, invitee))
    expect(rows.filter((r) => r.workspaceId === team.id).map((r) => r.role)).toEqual(['member'])
  })

  test('someone already in the most workspaces a person may join: PLAN_LIMIT, nothing joined', async () => {
    const { invitee, token, inviteeCtx } = await invite()
    const extra = Array.from({ length: WORKSPACES_PER_PERSON_MAX - 1 }, (_, i) => ({
      name: `Full ${i}`,
      slug: `full-${invitee.slice(0, 8)}-${i}`,
    }))
    const made = await database.db.insert(workspaces).values(extra).returning({ id: workspaces.id })
    await database.db.insert(memberships).values(made.map((w) => ({ workspaceId: w.id, userId: invitee, role: 'owner' as const })))
    const before = await domainRows(database)
    expect(await failure(invitations.accept(inviteeCtx, { token }))).toMatchObject({ code: 'PLAN_LIMIT' })
    expect(await domainRows(database)).toEqual(before)
  })

  test('an unknown link is NOT_FOUND', async () => {
    const { inviteeCtx } = await invite()
    expect(await failure(invitations.accept(inviteeCtx, { token: 'not-a-real-link' }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await invitations.preview(database.db, 'not-a-real-link', new Date())).toBeNull()
  })
})

describe('delivery through SMTP', () => {
  test('the queued invitation reaches a real SMTP server, with the link in the text and the HTML', async () => {
    const smtp = await startSmtpServer()
    try {
      await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.status, 'pending'))
      const team = await newTeam('Sam Sender')
      const invitation = await invitations.create(team.as(team.ownerId), { email: 'smtp-invitee@example.test' })
      const { token } = await latestMail(invitation.id)
      const report = await deliverDueMail(database.db, smtpTransport(smtp.url, 'Twofold <noreply@app.test>'), new Date())
      expect(report).toEqual({ sent: 1, retrying: 0, failed: 0 })
      expect(smtp.received).toHaveLength(1)
      const [received] = smtp.received
      const link = `http://app.test/invitations/${token}`
      expect(received?.to && 'text' in received.to ? received.to.text : received?.to).toBe('smtp-invitee@example.test')
      // A personal workspace bears its owner's name: never "Sam Sender invited you to Sam Sender".
      expect(received?.subject).toBe('Sam Sender invited you to their workspace on Twofold')
      expect(received?.text).toContain('Sam Sender invited you to join their workspace on Twofold as a member.')
      expect(received?.text).toContain(link)
      expect(received?.html).toContain(`href="${link}"`)
      expect((await invitations.list(team.as(team.ownerId))).items[0]?.mail).toBe('sent')
    } finally {
      await smtp.stop()
    }
  })

  test('a mail server that refuses: the invitation stands, and its e-mail stays pending for a retry', async () => {
    await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.status, 'pending'))
    const team = await newTeam()
    const invitation = await invitations.create(team.as(team.ownerId), { email: 'unlucky@example.test' })
    const nobodyListening = `smtp://127.0.0.1:${await freePort()}`
    const logs: LogLine[] = []
    const now = new Date()
    const report = await deliverDueMail(database.db, smtpTransport(nobodyListening, 'noreply@app.test'), now, { log: captureLogger(logs) })
    expect(report).toEqual({ sent: 0, retrying: 1, failed: 0 })
    const { mail, token } = await latestMail(invitation.id)
    expect(mail).toMatchObject({ status: 'pending', attempts: 1 })
    expect(mail.lastError).toMatch(/ECONNREFUSED/)
    expect(logs.map((line) => line.message)).toEqual(['mail not sent: will retry'])
    expect(mail.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime())
    expect((await invitations.list(team.as(team.ownerId))).items).toMatchObject([{ id: invitation.id, mail: 'sending' }])
    expect((await invitations.preview(database.db, token, now))?.state).toBe('open')
  })
})
