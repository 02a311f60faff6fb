// Settings → Account and security: name, password (ends every other session), the sessions list (device, address,
// this device) and signing sessions out, and deleting the account in one transaction.
import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { account, apiTokens, memberships, projects, session, user, verification, workspaces } from '../../src/server/db/schema'
import { Forbidden, NotFound, Unauthenticated, type ValidationError } from '../../src/server/errors'
import { deleteAccount, lastOwnerOf } from '../../src/server/services/account-deletion'
import * as settings from '../../src/server/services/account-settings'
import type { ServiceContext } from '../../src/server/services/context'
import * as projectsService from '../../src/server/services/projects'
import * as sessions from '../../src/server/services/sessions'
import { AUTH_CHANGED, TokenCache } from '../../src/server/services/token-cache'
import * as tokens from '../../src/server/services/tokens'
import { type Accounts, accountsOn, CHROME_ANDROID, mailsTo, PASSWORD } from '../support/accounts'
import { contextFor, createTestDatabase, domainRows, sessionActor } from '../support/db'

let database: Database
let accounts: Accounts
beforeAll(async () => {
  database = await createTestDatabase()
  accounts = accountsOn(database)
})
afterAll(() => database.close())

const NEW_PASSWORD = 'another good passphrase'
const sessionIds = async (userId: string) =>
  (await database.db.select({ id: session.id }).from(session).where(eq(session.userId, userId))).map((r) => r.id).sort()

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )
}

const tokenActor = (userId: string) =>
  ({ type: 'user', userId, via: 'token', tokenId: 't', scopes: [], workspaceId: randomUUID(), role: 'owner' }) as const

describe('name', () => {
  test('is changed with the same rules as at sign-up', async () => {
    const { userId, sessionId } = await accounts.signUp('Before')
    const ctx = accounts.context(userId, sessionId)
    expect(await settings.rename(ctx, { name: '  After  ' })).toMatchObject({ name: 'After', hasPassword: true, emailVerified: false })
    expect(((await failure(settings.rename(ctx, { name: 'two\nlines' }))) as ValidationError).fieldErrors).toEqual({
      name: ['Name must be a single line of text.'],
    })
  })

  test('every account operation is refused to an API token and to nobody', async () => {
    const { userId } = await accounts.signUp()
    const calls = (ctx: ServiceContext) => [
      settings.rename(ctx, { name: 'X' }),
      settings.changePassword(ctx, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      settings.requestEmailChange(ctx, { email: 'x@example.test', password: PASSWORD }),
      sessions.list(ctx),
      sessions.revokeOthers(ctx),
      deleteAccount(ctx, { password: PASSWORD }),
    ]
    for (const error of await Promise.all(calls(contextFor(database, tokenActor(userId))).map(failure)))
      expect(error).toBeInstanceOf(Forbidden)
    for (const error of await Promise.all(calls(contextFor(database, { type: 'anonymous' })).map(failure)))
      expect(error).toBeInstanceOf(Unauthenticated)
    expect(await sessionIds(userId)).toHaveLength(1)
  })
})

describe('changing the password', () => {
  test('needs the current one, ends every other session (this one stays) and tells the account’s address', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    const other = await accounts.signIn(email)
    const ctx = accounts.context(userId, sessionId)
    const wrong = await failure(settings.changePassword(ctx, { currentPassword: 'not the password', newPassword: NEW_PASSWORD }))
    expect((wrong as ValidationError).fieldErrors).toEqual({ currentPassword: [settings.WRONG_PASSWORD] })
    expect(await sessionIds(userId)).toEqual([sessionId, other].sort())

    expect(await settings.changePassword(ctx, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toEqual({ signedOut: 1 })
    expect(await sessionIds(userId)).toEqual([sessionId])
    await expect(accounts.signIn(email, NEW_PASSWORD)).resolves.toEqual(expect.any(String))
    expect((await mailsTo(database, email)).map((m) => m.subject)).toContain('Your Twofold password was changed')
  })

  test('a new password outside the bounds is a field error', async () => {
    const { userId, sessionId } = await accounts.signUp()
    const error = await failure(
      settings.changePassword(accounts.context(userId, sessionId), { currentPassword: PASSWORD, newPassword: 'short' }),
    )
    expect((error as ValidationError).fieldErrors).toEqual({ newPassword: ['Password must be at least 8 characters.'] })
  })
})

describe('sessions', () => {
  test('are listed with their device, address and times, this device first and marked', async () => {
    const { userId, email, sessionId } = await accounts.signUp()
    const phone = await accounts.signIn(email, PASSWORD, CHROME_ANDROID)
    const { items } = await sessions.list(accounts.context(userId, sessionId))
    expect(items.map((s) => [s.id, s.current, s.device])).toEqual([
      [sessionId, true, 'Firefox 128 on Mac OS 14.5 (Apple Macintosh)'],
      [phone, false, 'Chrome 126 on Android 14 (Google Pixel 8)'],
    ])
    for (const s of items) {
      expect(s.ipAddress).toMatch(/^192\.0\.2\.\d+$/)
      expect(Date.parse(s.createdAt)).not.toBeNaN()
      expect(Date.parse(s.lastActiveAt)).not.toBeNaN()
    }
    const describeDevice = await sessions.loadDeviceDescriber()
    expect(describeDevice(null)).toBe('Unknown device')
    expect(describeDevice('curl/8.5.0')).toBe('Unknown device')
  })

  test('one is signed out; someone else’s is NOT_FOUND and stays', async () => {
    const me = await accounts.signUp()
    const phone = await accounts.signIn(me.email)
    const stranger = await accounts.signUp()
    const ctx = accounts.context(me.userId, me.sessionId)
    expect(await failure(sessions.revoke(ctx, { id: stranger.sessionId }))).toEqual(new NotFound('Session'))
    expect(await sessionIds(stranger.userId)).toEqual([stranger.sessionId])
    expect(await sessions.revoke(ctx, { id: phone })).toEqual({ id: phone })
    expect(await sessionIds(me.userId)).toEqual([me.sessionId])
  })

  test('“sign out of all other devices” keeps this one', async () => {
    const me = await accounts.signUp()
    await accounts.signIn(me.email)
    await accounts.signIn(me.email)
    expect(await sessions.revokeOthers(accounts.context(me.userId, me.sessionId))).toEqual({ signedOut: 2 })
    expect(await sessionIds(me.userId)).toEqual([me.sessionId])
  })
})

describe('deleting the account', () => {
  async function joinAs(userId: string, workspaceSlug: string, role: 'owner' | 'admin' | 'member') {
    const [w] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, workspaceSlug))
    if (!w) throw new Error('no workspace')
    await database.db.insert(memberships).values({ workspaceId: w.id, userId, role })
    return w.id
  }
  const exists = async (table: typeof workspaces, id: string) => (await database.db.select().from(table).where(eq(table.id, id))).length > 0

  test('needs the password; a wrong one changes nothing', async () => {
    const me = await accounts.signUp()
    const before = await domainRows(database)
    const error = await failure(deleteAccount(accounts.context(me.userId, me.sessionId), { password: 'not my password' }))
    expect((error as ValidationError).fieldErrors).toEqual({ password: ['That is not your password.'] })
    expect(await domainRows(database)).toEqual(before)
  })

  test('removes the person, sessions, sign-in methods, links, tokens, memberships and the workspaces only they were in', async () => {
    const me = await accounts.signUp('Leaving')
    const stays = await accounts.signUp('Staying')
    await accounts.signIn(me.email)
    // A shared workspace (owned by someone else) where I am a member with a token and a project.
    const sharedId = await joinAs(me.userId, stays.slug, 'member')
    const sharedCtx = contextFor(database, sessionActor(me.userId), undefined, stays.slug)
    const { token: sharedToken } = await tokens.create(sharedCtx, { name: 'shared', scopes: ['projects:read'] })
    const project = await projectsService.create(sharedCtx, { name: 'Outlives me' })
    const { token: ownToken } = await tokens.create(contextFor(database, sessionActor(me.userId), undefined, me.slug), {
      name: 'own',
      scopes: ['projects:read'],
    })
    const [mine] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, me.slug))

    const result = await deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD })
    expect(result).toEqual({ id: me.userId, deletedWorkspaces: ['Leaving'] })
    for (const [table, column] of [
      [user, user.id],
      [session, session.userId],
      [account, account.userId],
      [memberships, memberships.userId],
      [apiTokens, apiTokens.userId],
    ] as const) {
      expect(await database.db.select().from(table).where(eq(column, me.userId))).toEqual([])
    }
    expect((await database.db.select().from(verification)).filter((v) => v.value.includes(me.userId))).toEqual([])
    expect(await exists(workspaces, mine?.id ?? '')).toBe(false)
    expect(await exists(workspaces, sharedId)).toBe(true)
    // What they made in the shared workspace stays, unattributed.
    expect((await database.db.select({ createdBy: projects.createdBy }).from(projects).where(eq(projects.id, project.id)))[0]).toEqual({
      createdBy: null,
    })
    for (const token of [sharedToken, ownToken]) expect(await tokens.authenticate(database.db, token, new Date())).toBeNull()
    expect(await sessionIds(stays.userId)).toEqual([stays.sessionId])
  })

  test('is refused, naming the workspaces, while they are the last owner where others work; nothing is deleted', async () => {
    const me = await accounts.signUp('Founder')
    const colleague = await accounts.signUp()
    await joinAs(colleague.userId, me.slug, 'admin')
    // A second workspace only I am in: it must survive the refusal too (one transaction, nothing half-deleted).
    const solo = await settingsWorkspace(me.userId, 'Solo side project')
    const before = await domainRows(database)
    const error = await failure(deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD }))
    expect(error).toEqual(lastOwnerOf(['Founder']))
    expect((error as Error).message).toBe(
      'You are the last owner of “Founder”, where others still work. Make someone else an owner there (or delete the workspace) first.',
    )
    expect(await domainRows(database)).toEqual(before)
    expect(await exists(workspaces, solo)).toBe(true)
    // With another owner there, it goes through and that workspace stays with them.
    await database.db.update(memberships).set({ role: 'owner' }).where(eq(memberships.userId, colleague.userId))
    expect((await deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD })).deletedWorkspaces).toEqual([
      'Solo side project',
    ])
    const [kept] = await database.db.select().from(workspaces).where(eq(workspaces.slug, me.slug))
    expect(kept?.name).toBe('Founder')
  })

  test('is one transaction: a failure at the last step (deleting the user row) leaves everything as it was', async () => {
    const me = await accounts.signUp('Atomic')
    await settingsWorkspace(me.userId, 'Also mine alone')
    await tokens.create(contextFor(database, sessionActor(me.userId), undefined, me.slug), { name: 'kept', scopes: ['projects:read'] })
    // A real failure from the database, raised by a trigger when this user's row is deleted: the workspaces, tokens
    // and links deleted before it in the same transaction must all come back.
    const guard = `refuse_${randomUUID().replaceAll('-', '')}`
    await database.db.execute(
      sql.raw(`create function ${guard}() returns trigger language plpgsql as $$ begin
        if old.id = '${me.userId}' then raise exception 'refused by the test'; end if; return old; end $$`),
    )
    await database.db.execute(sql.raw(`create trigger ${guard} before delete on "user" for each row execute function ${guard}()`))
    try {
      const before = await domainRows(database)
      const error = await failure(deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD }))
      expect(String((error as Error).cause ?? error)).toMatch(/refused by the test/)
      expect(await domainRows(database)).toEqual(before)
    } finally {
      await database.db.execute(sql.raw(`drop trigger ${guard} on "user"`))
      await database.db.execute(sql.raw(`drop function ${guard}()`))
    }
    expect((await deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD })).deletedWorkspaces.sort()).toEqual([
      'Also mine alone',
      'Atomic',
    ])
  })

  test('an account without a password (OAuth) confirms by typing its address', async () => {
    const me = await accounts.signUp()
    await database.db.delete(account).where(and(eq(account.userId, me.userId), eq(account.providerId, 'credential')))
    const ctx = accounts.context(me.userId, me.sessionId)
    const error = await failure(deleteAccount(ctx, { confirm: 'someone@else.test' }))
    expect((error as ValidationError).fieldErrors).toEqual({ confirm: [`Type ${me.email} to confirm.`] })
    expect(await deleteAccount(ctx, { confirm: ` ${me.email.toUpperCase()} ` })).toMatchObject({ id: me.userId })
  })

  test('every instance drops its cached copy of the account’s tokens', async () => {
    const me = await accounts.signUp()
    const { token } = await tokens.create(contextFor(database, sessionActor(me.userId), undefined, me.slug), {
      name: 'cached',
      scopes: ['projects:read'],
    })
    const cache = new TokenCache()
    let live!: () => void
    const isLive = new Promise<void>((resolve) => {
      live = resolve
    })
    const cleared: number[] = []
    const stop = database.notifications.subscribe(AUTH_CHANGED, {
      message: () => {
        cleared.push(Date.now())
        cache.clear()
      },
      live: (value) => {
        cache.setLive(value)
        if (value) live()
      },
    })
    await isLive
    expect(await tokens.authenticate(database.db, token, new Date(), cache)).not.toBeNull()
    await deleteAccount(accounts.context(me.userId, me.sessionId), { password: PASSWORD })
    await expect.poll(() => cleared.length).toBeGreaterThan(0)
    expect(await tokens.authenticate(database.db, token, new Date(), cache)).toBeNull()
    stop()
  })
})

/** A workspace `userId` makes, named `name` (they are its only member). */
async function settingsWorkspace(userId: string, name: string): Promise<string> {
  const { create } = await import('../../src/server/services/workspaces')
  const created = await create(contextFor(database, sessionActor(userId)), { name })
  return created.id
}
