// API tokens remembered between announced changes (services/token-cache.ts): a cached token serves without a
// lookup, and every change that ends or narrows a token's access reaches the cache through NOTIFY — in this
// process, and (PostgreSQL) in another instance on the same database.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db/client'
import * as accountSettings from '../../src/server/services/account-settings'
import * as accounts from '../../src/server/services/accounts'
import * as members from '../../src/server/services/members'
import { AUTH_CHANGED, TokenCache } from '../../src/server/services/token-cache'
import * as tokens from '../../src/server/services/tokens'
import { bearerTokenFor } from '../support/api'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { isPostgresRun } from '../support/postgres'
import { throwawayPostgres } from '../support/server'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

/** A cache kept by `db`'s notifications, as the runtime keeps one; resolves once its listener is live. */
async function listeningCache(db: Database): Promise<TokenCache> {
  const cache = new TokenCache()
  let live!: () => void
  const isLive = new Promise<void>((resolve) => {
    live = resolve
  })
  db.notifications.subscribe(AUTH_CHANGED, {
    message: () => cache.clear(),
    live: (value) => {
      cache.setLive(value)
      if (value) live()
    },
  })
  await isLive
  return cache
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<{ value: T; ms: number }> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (done(value)) return { value, ms: Date.now() - started }
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const token = (value: string) => value.replace(/^Bearer /, '')

describe('the token cache', () => {
  test('serves a token without a lookup until a change is announced: a revocation is seen on the next request', async () => {
    const cache = await listeningCache(database)
    const userId = await createUser(database)
    const { authorization, tokenId } = await bearerTokenFor(database, userId)
    const now = () => new Date()
    expect(await tokens.authenticate(database.db, token(authorization), now(), cache)).toMatchObject({ tokenId, role: 'owner' })

    // Changed behind the services' back (no announcement): the cache still answers, so it really is serving.
    await database.db.execute(sql`update api_tokens set revoked_at = now() where id = ${tokenId}`)
    expect(await tokens.authenticate(database.db, token(authorization), now(), cache)).toMatchObject({ tokenId })
    expect(await tokens.authenticate(database.db, token(authorization), now())).toBeNull()

    // Through the service, which announces it: the cache lets go.
    await database.db.execute(sql`update api_tokens set revoked_at = null where id = ${tokenId}`)
    await tokens.revoke(contextFor(database, sessionActor(userId)), { id: tokenId })
    const { value } = await until(
      () => tokens.authenticate(database.db, token(authorization), now(), cache),
      (actor) => actor === null,
    )
    expect(value).toBeNull()
  })

  test('a member removed or demoted is seen at once by their cached token', async () => {
    const cache = await listeningCache(database)
    const ownerId = await createUser(database)
    const memberId = await createUser(database)
    const slug = personalWorkspace(ownerId)
    await database.db.execute(
      sql`insert into memberships (workspace_id, user_id, role) select id, ${memberId}, 'admin' from workspaces where slug = ${slug}`,
    )
    const { authorization } = await bearerTokenFor(database, memberId, undefined, slug)
    const read = () => tokens.authenticate(database.db, token(authorization), new Date(), cache)
    expect(await read()).toMatchObject({ role: 'admin' })
    const owner = contextFor(database, sessionActor(ownerId))
    await members.changeRole(owner, { userId: memberId, role: 'member' })
    expect((await until(read, (actor) => actor?.type === 'user' && actor.via === 'token' && actor.role === 'member')).value).toBeTruthy()
    await members.remove(owner, { userId: memberId })
    expect((await until(read, (actor) => actor === null)).value).toBeNull()
  })

  test('GET /api/v1/me is answered from the cached identity, and a rename reaches it at commit', async () => {
    const cache = await listeningCache(database)
    const userId = await createUser(database, 'Ada')
    const { authorization, tokenId } = await bearerTokenFor(database, userId)
    const meNow = async () => {
      const actor = await tokens.authenticate(database.db, token(authorization), new Date(), cache)
      if (!actor) throw new Error('token refused')
      return accounts.me(contextFor(database, actor))
    }
    expect(await meNow()).toMatchObject({ user: { id: userId, name: 'Ada' }, token: { id: tokenId } })

    // Changed behind the services' back (no announcement): /me still answers from the cache, so it makes no query.
    await database.db.execute(sql`update "user" set name = 'Changed quietly' where id = ${userId}`)
    expect((await meNow()).user.name).toBe('Ada')

    // Through the service, which announces it: the next request sees the new name.
    await accountSettings.rename(contextFor(database, sessionActor(userId)), { name: 'Ada Lovelace' })
    expect((await until(meNow, (me) => me.user.name === 'Ada Lovelace')).value.user.name).toBe('Ada Lovelace')
  })

  test('is off while its listener is not connected: changes are read from the database', async () => {
    const cache = await listeningCache(database)
    const userId = await createUser(database)
    const { authorization, tokenId } = await bearerTokenFor(database, userId)
    expect(await tokens.authenticate(database.db, token(authorization), new Date(), cache)).not.toBeNull()
    cache.setLive(false)
    await database.db.execute(sql`update api_tokens set revoked_at = now() where id = ${tokenId}`)
    expect(await tokens.authenticate(database.db, token(authorization), new Date(), cache)).toBeNull()
  })

  test('a lookup that began before a change does not store what it read', () => {
    const cache = new TokenCache()
    cache.setLive(true)
    const ticket = cache.ticket()
    cache.clear()
    const actor = { type: 'user', userId: 'u', via: 'token', tokenId: 't', scopes: [], workspaceId: 'w', role: 'member' } as const
    cache.store('hash', { actor, expiresAt: null, lastUsedAt: null }, ticket, Date.now())
    expect(cache.get('hash', Date.now())).toBeUndefined()
    cache.store('hash', { actor, expiresAt: null, lastUsedAt: null }, cache.ticket(), Date.now())
    expect(cache.get('hash', Date.now())).toBeDefined()
  })
})

describe.skipIf(!isPostgresRun())('two instances (PostgreSQL only: set DATABASE_URL=postgres://… to run)', () => {
  test('a token revoked through one instance is refused by the other as soon as the notification lands', async () => {
    const fresh = await throwawayPostgres()
    const [a, b] = await Promise.all([
      openDatabase({ kind: 'postgres', url: fresh.url }),
      openDatabase({ kind: 'postgres', url: fresh.url }),
    ])
    try {
      const cacheOfB = await listeningCache(b)
      const userId = await createUser(a)
      const { authorization, tokenId } = await bearerTokenFor(a, userId)
      const readOnB = () => tokens.authenticate(b.db, token(authorization), new Date(), cacheOfB)
      expect(await readOnB()).toMatchObject({ tokenId })
      await tokens.revoke(contextFor(a, sessionActor(userId)), { id: tokenId })
      const { ms } = await until(readOnB, (actor) => actor === null)
      // Delivered at commit: the next request to B after the revocation is refused, give or take a notification's trip.
      expect(ms).toBeLessThan(500)
    } finally {
      await Promise.all([a.close(), b.close()])
      await fresh.drop()
    }
  })
})
