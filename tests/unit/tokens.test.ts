// API tokens on a real database: minted once, stored as a hash, scoped, expiring, revocable at once.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { apiTokens } from '../../src/server/db/schema'
import { Forbidden, NotFound, PlanLimit, ValidationError } from '../../src/server/errors'
import { me } from '../../src/server/services/accounts'
import type { Actor, ServiceContext } from '../../src/server/services/context'
import * as tokens from '../../src/server/services/tokens'
import * as workspaces from '../../src/server/services/workspaces'
import { contextFor, createTestDatabase, createUser, sessionActor } from '../support/db'

let database: Database
let alice: ServiceContext
let bob: ServiceContext

beforeAll(async () => {
  database = await createTestDatabase()
  alice = contextFor(database, sessionActor(await createUser(database, 'Alice')))
  bob = contextFor(database, sessionActor(await createUser(database, 'Bob')))
})
afterAll(() => database.close())

const authenticate = (token: string, now = new Date()) => tokens.authenticate(database.db, token, now)

describe('minting a token', () => {
  test('returns the plain token once and stores only its hash', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'CI', scopes: ['projects:read', 'projects:read'] })
    expect(token).toMatch(/^tf_[A-Za-z0-9_-]{32}$/)
    expect(apiToken).toMatchObject({ name: 'CI', scopes: ['projects:read'], expiresAt: null, lastUsedAt: null, revokedAt: null })
    expect(token.startsWith(apiToken.prefix)).toBe(true)
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, apiToken.id))
    expect(JSON.stringify(row)).not.toContain(token.slice(3))
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await tokens.list(alice)).toContainEqual(apiToken)
  })

  test('a single scope from a form (a string) is a list of one', async () => {
    const { apiToken } = await tokens.create(alice, { name: 'Form', scopes: 'projects:write' as never })
    expect(apiToken.scopes).toEqual(['projects:write'])
  })

  test.each([
    [{ name: 'x', scopes: [] }, { scopes: ['Choose at least one scope.'] }],
    [{ name: 'x' }, { scopes: ['Choose at least one scope.'] }],
    [{ name: 'x', scopes: ['admin'] }, { 'scopes.0': ['Unknown scope.'] }],
    [{ name: ' ', scopes: ['projects:read'] }, { name: ['Name is required.'] }],
    [{ name: 'x', scopes: ['projects:read'], expiresInDays: 0 }, { expiresInDays: expect.any(Array) }],
    [{ name: 'x', scopes: ['projects:read'], expiresInDays: 366 }, { expiresInDays: expect.any(Array) }],
  ])('rejects %j', async (input, errors) => {
    const error = await tokens.create(alice, input as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fieldErrors).toEqual(errors)
  })

  test('only from a session: a token cannot mint, list or revoke tokens', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'Robot', scopes: ['projects:write'] })
    const actor = (await authenticate(token)) as Actor
    const asToken = contextFor(database, actor)
    await expect(tokens.create(asToken, { name: 'Child', scopes: ['projects:read'] })).rejects.toBeInstanceOf(Forbidden)
    await expect(tokens.list(asToken)).rejects.toBeInstanceOf(Forbidden)
    await expect(tokens.revoke(asToken, { id: apiToken.id })).rejects.toBeInstanceOf(Forbidden)
  })

  test(`at most ${tokens.ACTIVE_TOKENS_MAX} active tokens; revoked ones do not count`, async () => {
    const owner = contextFor(database, sessionActor(await createUser(database)))
    const made = []
    for (let i = 0; i < tokens.ACTIVE_TOKENS_MAX; i++) made.push(await tokens.create(owner, { name: `t${i}`, scopes: ['projects:read'] }))
    await expect(tokens.create(owner, { name: 'one too many', scopes: ['projects:read'] })).rejects.toBeInstanceOf(PlanLimit)
    await tokens.revoke(owner, { id: made[0]?.apiToken.id ?? '' })
    await expect(tokens.create(owner, { name: 'room again', scopes: ['projects:read'] })).resolves.toBeTruthy()
  })

  test(`80 creates at once still leave exactly ${tokens.ACTIVE_TOKENS_MAX} active tokens; the rest are PLAN_LIMIT`, async () => {
    const userId = await createUser(database)
    const owner = contextFor(database, sessionActor(userId))
    const results = await Promise.allSettled(
      Array.from({ length: 80 }, (_, i) => tokens.create(owner, { name: `race ${i}`, scopes: ['projects:read'] })),
    )
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(tokens.ACTIVE_TOKENS_MAX)
    expect(refused).toHaveLength(80 - tokens.ACTIVE_TOKENS_MAX)
    for (const reason of refused) expect(reason).toBeInstanceOf(PlanLimit)
    expect(await database.db.$count(apiTokens, eq(apiTokens.userId, userId))).toBe(tokens.ACTIVE_TOKENS_MAX)
  })
})

describe('authenticating with a token', () => {
  test('stands for its owner with its scopes, and records when it was last used (at most once a minute)', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'Reader', scopes: ['projects:read'] })
    const t0 = new Date('2026-06-01T12:00:00Z')
    expect(await authenticate(token, t0)).toEqual({
      type: 'user',
      userId: (alice.actor as { userId: string }).userId,
      via: 'token',
      tokenId: apiToken.id,
      scopes: ['projects:read'],
      // The token acts in the workspace it was made in, with its creator's role there, read with the token.
      workspaceId: (await workspaces.current(alice)).id,
      role: 'owner',
      // Read with it, for GET /api/v1/me.
      identity: { email: expect.stringContaining('@'), name: 'Alice', tokenName: 'Reader', expiresAt: null },
    })
    const lastUsed = async () => (await tokens.list(alice)).find((t) => t.id === apiToken.id)?.lastUsedAt
    expect(await lastUsed()).toBe(t0.toISOString())
    await authenticate(token, new Date(t0.getTime() + 30_000))
    expect(await lastUsed()).toBe(t0.toISOString())
    const t2 = new Date(t0.getTime() + 61_000)
    await authenticate(token, t2)
    expect(await lastUsed()).toBe(t2.toISOString())
  })

  test.each(['', 'tf_', 'tf_unknown', 'gh_abc', `tf_${'a'.repeat(300)}`, 'Bearer tf_x'])('an unknown token %j is nobody', async (token) => {
    expect(await authenticate(token)).toBeNull()
  })

  test('a token differing in one character is nobody', async () => {
    const { token } = await tokens.create(alice, { name: 'Exact', scopes: ['projects:read'] })
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    expect(await authenticate(token.slice(0, -1) + last)).toBeNull()
  })

  test('an expired token stops working the moment it expires', async () => {
    const start = new Date('2026-03-01T00:00:00Z')
    const clocked = contextFor(database, alice.actor, () => start)
    const { token, apiToken } = await tokens.create(clocked, { name: 'Week', scopes: ['projects:read'], expiresInDays: 7 })
    expect(apiToken.expiresAt).toBe('2026-03-08T00:00:00.000Z')
    expect(await authenticate(token, new Date('2026-03-07T23:59:59.999Z'))).not.toBeNull()
    expect(await authenticate(token, new Date('2026-03-08T00:00:00.000Z'))).toBeNull()
  })

  test('a revoked token stops working at once; revoking again changes nothing', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'Leaked', scopes: ['projects:write'] })
    expect(await authenticate(token)).not.toBeNull()
    const revoked = await tokens.revoke(alice, { id: apiToken.id })
    expect(revoked.revokedAt).not.toBeNull()
    expect(await authenticate(token)).toBeNull()
    expect(await tokens.revoke(alice, { id: apiToken.id })).toEqual(revoked)
  })
})

describe('another user’s token', () => {
  test('cannot be seen or revoked: NOT_FOUND, and it keeps working', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'Mine', scopes: ['projects:read'] })
    expect((await tokens.list(bob)).map((t) => t.id)).not.toContain(apiToken.id)
    await expect(tokens.revoke(bob, { id: apiToken.id })).rejects.toBeInstanceOf(NotFound)
    await expect(tokens.revoke(bob, { id: 'not-a-uuid' })).rejects.toBeInstanceOf(NotFound)
    expect(await authenticate(token)).not.toBeNull()
  })
})

describe('who am I', () => {
  test('a session sees its user and no token; a token sees itself and its scopes', async () => {
    const { token, apiToken } = await tokens.create(alice, { name: 'Me', scopes: ['projects:read'], expiresInDays: 30 })
    const viaSession = await me(alice)
    expect(viaSession).toEqual({
      user: { id: expect.any(String), email: expect.stringMatching(/@example\.test$/), name: 'Alice' },
      token: null,
    })
    const viaToken = await me(contextFor(database, (await authenticate(token)) as Actor))
    expect(viaToken).toEqual({
      user: viaSession.user,
      token: { id: apiToken.id, name: 'Me', scopes: ['projects:read'], expiresAt: apiToken.expiresAt },
    })
  })
})
