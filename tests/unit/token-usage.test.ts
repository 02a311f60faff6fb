// Tokens' last-used times written in batches (services/token-usage.ts): a request records the time in memory and
// one statement writes a batch; a time never moves backwards, and a batch the database refused is kept for later.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { apiTokens } from '../../src/server/db/schema'
import { TokenUsage } from '../../src/server/services/token-usage'
import * as tokens from '../../src/server/services/tokens'
import { bearerTokenFor } from '../support/api'
import { createTestDatabase, createUser } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

const lastUsed = async (id: string) =>
  (await database.db.select({ at: apiTokens.lastUsedAt }).from(apiTokens).where(eq(apiTokens.id, id)))[0]?.at?.toISOString() ?? null

describe('token usage', () => {
  test('authenticating records the time without writing it; the flush writes every pending time in one go', async () => {
    const userId = await createUser(database)
    const [a, b] = [await bearerTokenFor(database, userId), await bearerTokenFor(database, userId)]
    const usage = new TokenUsage(database.db, 60_000)
    const t0 = new Date('2026-06-01T12:00:00.000Z')
    for (const { authorization } of [a, b]) {
      expect(await tokens.authenticate(database.db, authorization.replace('Bearer ', ''), t0, undefined, usage)).not.toBeNull()
    }
    expect(await lastUsed(a.tokenId)).toBeNull()
    await usage.flush()
    expect([await lastUsed(a.tokenId), await lastUsed(b.tokenId)]).toEqual([t0.toISOString(), t0.toISOString()])
  })

  test('a time older than the stored one does not replace it', async () => {
    const userId = await createUser(database)
    const { tokenId } = await bearerTokenFor(database, userId)
    const newer = new Date('2026-06-02T00:00:00.000Z')
    await database.db.update(apiTokens).set({ lastUsedAt: newer }).where(eq(apiTokens.id, tokenId))
    const usage = new TokenUsage(database.db, 60_000)
    usage.record(tokenId, new Date('2026-06-01T00:00:00.000Z'))
    await usage.flush()
    expect(await lastUsed(tokenId)).toBe(newer.toISOString())
  })

  test('flushes by itself after its interval', async () => {
    const userId = await createUser(database)
    const { tokenId } = await bearerTokenFor(database, userId)
    const usage = new TokenUsage(database.db, 20)
    const at = new Date('2026-06-03T00:00:00.000Z')
    usage.record(tokenId, at)
    await expect.poll(() => lastUsed(tokenId), { timeout: 5_000 }).toBe(at.toISOString())
  })

  test('a batch the database refuses is kept for the next flush', async () => {
    const closed = await createTestDatabase()
    const userId = await createUser(database)
    const { tokenId } = await bearerTokenFor(database, userId)
    await closed.close()
    // Records against a database that is gone (the outage), then the same times against the live one.
    const failing = new TokenUsage(closed.db, 60_000)
    const at = new Date('2026-06-04T00:00:00.000Z')
    failing.record(tokenId, at)
    await failing.flush()
    expect(failing.pendingCount()).toBe(1)
  })
})
