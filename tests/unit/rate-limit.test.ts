// The database-backed rate limiter's housekeeping, on a real database: keys stay small whatever the client sends,
// and counters whose window has ended are deleted instead of piling up forever.
import { like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { rateLimits } from '../../src/server/db/schema'
import { createRateLimiter, purgeExpiredRateLimits, STORED_KEY_MAX } from '../../src/server/http/rate-limit'
import { createTestDatabase } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

const keysOf = async (name: string) =>
  (
    await database.db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(like(rateLimits.key, `${name}:%`))
  ).map((r) => r.key)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('rate-limit keys', () => {
  test('an 8 KB key is stored as a short digest, and still counts as itself', async () => {
    const limiter = createRateLimiter(database.db, { name: 'wide', points: 2, durationSeconds: 60 })
    const wide = 'x'.repeat(8192)
    await limiter.consume(wide)
    const [key, ...others] = await keysOf('wide')
    expect(others).toEqual([])
    expect(key).toMatch(/^wide:sha256:[0-9a-f]{64}$/)
    expect(await limiter.consume(wide)).toMatchObject({ remaining: 0 })
    await expect(limiter.consume(wide)).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    // A different long key is a different counter.
    expect(await limiter.consume(`${wide}y`)).toMatchObject({ remaining: 1 })
  })

  test(`keys up to ${STORED_KEY_MAX} characters are stored as they are`, async () => {
    const limiter = createRateLimiter(database.db, { name: 'short', points: 5, durationSeconds: 60 })
    await limiter.consume('k'.repeat(STORED_KEY_MAX))
    expect(await keysOf('short')).toEqual([`short:${'k'.repeat(STORED_KEY_MAX)}`])
  })
})

describe('expired counters', () => {
  test('purgeExpiredRateLimits deletes the counters whose window has ended and keeps the live ones', async () => {
    const brief = createRateLimiter(database.db, { name: 'brief', points: 5, durationSeconds: 1 })
    const long = createRateLimiter(database.db, { name: 'long', points: 5, durationSeconds: 600 })
    await brief.consume('a')
    await brief.consume('b')
    await long.consume('a')
    expect(await purgeExpiredRateLimits(database.db)).toBe(0)
    expect(await purgeExpiredRateLimits(database.db, new Date(Date.now() + 2000))).toBeGreaterThanOrEqual(2)
    expect(await keysOf('brief')).toEqual([])
    expect(await keysOf('long')).toEqual(['long:a'])
  })

  test('a limiter purges by itself once its interval has passed, without making the hit wait', async () => {
    const limiter = createRateLimiter(database.db, { name: 'self', points: 5, durationSeconds: 1, purgeIntervalMs: 500 })
    await limiter.consume('old')
    expect(await keysOf('self')).toEqual(['self:old'])
    await sleep(1100)
    await limiter.consume('new')
    // The purge runs alongside the hit; give it a moment to land.
    await expect.poll(() => keysOf('self'), { timeout: 2000 }).toEqual(['self:new'])
  })
})
