// Rate limits are counted in the database, so app instances that share it share one budget per key.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db/client'
import { RateLimited } from '../../src/server/errors'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import { createTestDatabase } from '../support/db'
import { isPostgresRun, postgresUrlFor } from '../support/postgres'

let first: Database
// A second instance: on PostgreSQL its own connection pool to the same database; PGlite has one instance only.
let second: Database

beforeAll(async () => {
  first = await createTestDatabase()
  if (isPostgresRun()) {
    const result = await first.pool?.query<{ name: string }>('select current_database() as name')
    const name = result?.rows[0]?.name
    if (!name) throw new Error('no current database')
    second = await openDatabase({ kind: 'postgres', url: postgresUrlFor(name) })
  } else {
    second = first
  }
})

afterAll(async () => {
  if (second !== first) await second.close()
  await first.close()
})

async function settle(hits: Promise<unknown>[]) {
  const results = await Promise.allSettled(hits)
  return {
    allowed: results.filter((r) => r.status === 'fulfilled').length,
    limited: results.filter((r) => r.status === 'rejected' && r.reason instanceof RateLimited).length,
  }
}

describe('a rate limit shared by two app instances', () => {
  test('allows exactly the budget when both instances spend one key concurrently', async () => {
    const options = { name: 'shared', points: 25, durationSeconds: 60 }
    const a = createRateLimiter(first.db, options)
    const b = createRateLimiter(second.db, options)
    const hits = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).consume('token-1'))
    expect(await settle(hits)).toEqual({ allowed: 25, limited: 15 })
  })

  test('a used-up key on one instance is used up on the other, with the time to wait', async () => {
    const options = { name: 'shared-2', points: 2, durationSeconds: 60 }
    const a = createRateLimiter(first.db, options)
    const b = createRateLimiter(second.db, options)
    await a.consume('k')
    await a.consume('k')
    const rejection = await b.consume('k').catch((e: unknown) => e)
    expect(rejection).toBeInstanceOf(RateLimited)
    expect(rejection instanceof RateLimited && rejection.retryAfterSeconds).toBeGreaterThan(0)
    // Another key has its own budget.
    const other = await b.consume('other')
    expect(other).toMatchObject({ limit: 2, remaining: 1 })
    expect(other.resetSeconds).toBeGreaterThan(0)
    expect(other.resetSeconds).toBeLessThanOrEqual(60)
  })

  test('reset forgets a key for every instance', async () => {
    const options = { name: 'shared-3', points: 1, durationSeconds: 60 }
    const a = createRateLimiter(first.db, options)
    const b = createRateLimiter(second.db, options)
    await a.consume('k')
    await expect(b.check('k')).rejects.toBeInstanceOf(RateLimited)
    await b.reset('k')
    await expect(a.check('k')).resolves.toMatchObject({ remaining: 1 })
  })
})
