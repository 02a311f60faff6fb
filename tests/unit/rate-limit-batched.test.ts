// The API's rate limits without a database write per request (createBatchedRateLimiter): exact in one process,
// written in batches, and over several instances never more than the documented bound past the budget.
import { eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { rateLimits } from '../../src/server/db/schema'
import { RateLimited } from '../../src/server/errors'
import { createBatchedRateLimiter, FLUSH_INTERVAL_MS } from '../../src/server/http/rate-limit'
import { createTestDatabase } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

const settle = () => new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS * 3))
let limiterCount = 0
const uniqueName = () => `batched-${++limiterCount}-${Math.random().toString(36).slice(2, 6)}`

async function admitted(consume: () => Promise<unknown>, attempts: number): Promise<number> {
  const outcomes = await Promise.allSettled(Array.from({ length: attempts }, consume))
  for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(RateLimited)
  return outcomes.filter((o) => o.status === 'fulfilled').length
}

describe('a batched rate limiter', () => {
  test('admits exactly its budget in one process, then refuses with the time to wait', async () => {
    const limiter = createBatchedRateLimiter(database.db, { name: uniqueName(), points: 30, durationSeconds: 60 })
    expect(await admitted(() => limiter.consume('k'), 50)).toBe(30)
    const refused = await limiter.consume('k').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RateLimited)
    expect((refused as RateLimited).retryAfterSeconds).toBeGreaterThan(0)
  })

  test('one flush writes every key it holds, each with its own total, and a window that ended starts again', async () => {
    const name = uniqueName()
    const limiter = createBatchedRateLimiter(database.db, { name, points: 1000, durationSeconds: 60 })
    const keys = Array.from({ length: 1500 }, (_, i) => `token-${i}`)
    // An ended window already in the table for one key: its old total must not count.
    await database.db.insert(rateLimits).values({ key: `${name}:token-0`, points: 999, expire: new Date(Date.now() - 1000) })
    for (const key of keys) await limiter.consume(key)
    await limiter.consume('token-1')
    // Waits for the write in flight (or makes it), however long two chunks take on a busy machine.
    await limiter.check('token-0')
    const rows = await database.db
      .select()
      .from(rateLimits)
      .where(like(rateLimits.key, `${name}:%`))
    expect(rows).toHaveLength(1500)
    const points = new Map(rows.map((r) => [r.key, r.points]))
    expect(points.get(`${name}:token-0`)).toBe(1)
    expect(points.get(`${name}:token-1`)).toBe(2)
    expect(points.get(`${name}:token-1499`)).toBe(1)
    expect(rows.every((r) => (r.expire?.getTime() ?? 0) > Date.now())).toBe(true)
  })

  test('after a write, a key counts on and resets with the shared row’s window, not its own', async () => {
    const name = uniqueName()
    const limiter = createBatchedRateLimiter(database.db, { name, points: 100, durationSeconds: 60 })
    // Another instance's window, 30 s from its end, with 40 hits in it.
    await database.db.insert(rateLimits).values({ key: `${name}:shared`, points: 40, expire: new Date(Date.now() + 30_000) })
    await limiter.consume('shared')
    await limiter.check('shared')
    const state = await limiter.consume('shared')
    expect(state.remaining).toBe(100 - 41 - 1)
    expect(state.resetSeconds).toBeGreaterThan(20)
    expect(state.resetSeconds).toBeLessThanOrEqual(30)
  })

  test('writes hits in batches, not one by one, and the shared row ends up with every hit', async () => {
    const name = uniqueName()
    const limiter = createBatchedRateLimiter(database.db, { name, points: 1000, durationSeconds: 60 })
    const row = async () =>
      (
        await database.db
          .select()
          .from(rateLimits)
          .where(like(rateLimits.key, `${name}%`))
      )[0]
    for (let i = 0; i < 10; i++) await limiter.consume('k')
    // Within the flush interval nothing has been written yet: ten requests, no writes.
    expect((await row())?.points ?? 0).toBe(0)
    await settle()
    expect((await row())?.points).toBe(10)
  })

  test('two instances on one database overshoot the budget by at most 5% each', async () => {
    const name = uniqueName()
    const points = 200
    const a = createBatchedRateLimiter(database.db, { name, points, durationSeconds: 60 })
    const b = createBatchedRateLimiter(database.db, { name, points, durationSeconds: 60 })
    let total = 0
    // Several bursts with pauses, so each instance learns the other's count through the shared row.
    for (let burst = 0; burst < 5; burst++) {
      total += (await Promise.all([admitted(() => a.consume('k'), 60), admitted(() => b.consume('k'), 60)])).reduce((x, y) => x + y)
      await settle()
    }
    const bound = points + 2 * Math.floor(points * 0.05)
    expect(total).toBeGreaterThanOrEqual(points)
    expect(total).toBeLessThanOrEqual(bound)
    const [row] = await database.db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, `${name}:k`))
    expect(row?.points).toBeGreaterThanOrEqual(points)
  })

  test('reset forgets the key in the process and in the table', async () => {
    const limiter = createBatchedRateLimiter(database.db, { name: uniqueName(), points: 3, durationSeconds: 60 })
    expect(await admitted(() => limiter.consume('k'), 5)).toBe(3)
    await settle()
    await limiter.reset('k')
    expect(await admitted(() => limiter.consume('k'), 5)).toBe(3)
  })
})
