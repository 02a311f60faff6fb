// Fixed-window rate limits kept in the database (rate-limiter-flexible's Drizzle store), so every app
// instance on the same PostgreSQL shares one count; on embedded PGlite there is only one instance anyway.
import { createHash } from 'node:crypto'
import { lt, sql } from 'drizzle-orm'
import RateLimiterDrizzle from 'rate-limiter-flexible/lib/RateLimiterDrizzle.js'
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js'
import type { Db } from '../db/client'
import { preparedOnce, unmappedRows } from '../db/prepared'
import { rateLimits } from '../db/schema'
import { RateLimited, Unavailable } from '../errors'

export type RateLimitState = { limit: number; remaining: number; resetSeconds: number }

export type RateLimiter = {
  readonly points: number
  /** Counts one hit against `key`; throws RATE_LIMITED (with the state) once the window is used up. */
  consume(key: string): Promise<RateLimitState>
  /** Forgets `key`, e.g. after a successful sign-in. */
  reset(key: string): Promise<void>
  /** Gives back one hit counted against `key`: it was charged up front and turned out not to be a failure. */
  refund(key: string): Promise<void>
  /** The state for `key` without counting a hit; throws RATE_LIMITED if it is used up. */
  check(key: string): Promise<RateLimitState>
}

export class RateLimitExceeded extends RateLimited {
  constructor(readonly state: RateLimitState) {
    super(Math.max(1, state.resetSeconds))
  }
}

// Keys are partly client-chosen (an address, a token id, an email): longer than this, a key is stored as its
// SHA-256, so no client can make a row kilobytes wide.
export const STORED_KEY_MAX = 64
export function storedKey(key: string): string {
  return key.length <= STORED_KEY_MAX ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`
}

/** Deletes every counter whose window has ended (of every limiter): they would count nothing anyway. */
export async function purgeExpiredRateLimits(db: Db, now = new Date()): Promise<number> {
  const deleted = await db.delete(rateLimits).where(lt(rateLimits.expire, now)).returning({ key: rateLimits.key })
  return deleted.length
}

// Expired rows are purged at most this often per limiter, after a hit and without making it wait.
export const PURGE_INTERVAL_MS = 5 * 60_000

/** rate-limiter-flexible's store on the shared `rate_limits` table; expired rows are purged by us, not its timer. */
function drizzleStore(db: Db, opts: { name: string; points: number; durationSeconds: number }) {
  return new RateLimiterDrizzle({
    storeClient: db,
    schema: rateLimits,
    keyPrefix: opts.name,
    points: opts.points,
    duration: opts.durationSeconds,
    clearExpiredByTimeout: false,
  })
}

export function createRateLimiter(
  db: Db,
  opts: { name: string; points: number; durationSeconds: number; purgeIntervalMs?: number },
): RateLimiter {
  const store = drizzleStore(db, opts)
  const purgeInterval = opts.purgeIntervalMs ?? PURGE_INTERVAL_MS
  let lastPurge = Date.now()
  // The library's own clearExpiredByTimeout runs a timer per limiter for the life of the process; this runs only
  // when requests come, and one failure (the database briefly away) is retried at the next interval, never thrown.
  const purgeNowAndThen = () => {
    if (Date.now() - lastPurge < purgeInterval) return
    lastPurge = Date.now()
    purgeExpiredRateLimits(db).catch(() => {})
  }
  const stateOf = (res: RateLimiterRes): RateLimitState => ({
    limit: opts.points,
    remaining: Math.max(0, opts.points - res.consumedPoints),
    resetSeconds: Math.ceil(Math.max(0, res.msBeforeNext) / 1000),
  })
  return {
    points: opts.points,
    async consume(key) {
      purgeNowAndThen()
      try {
        return stateOf(await store.consume(storedKey(key)))
      } catch (rejection) {
        // The library rejects with a RateLimiterRes when the window is used up, with an Error when the store fails.
        if (rejection instanceof RateLimiterRes) throw new RateLimitExceeded(stateOf(rejection))
        throw rejection
      }
    },
    async reset(key) {
      await store.delete(storedKey(key))
    },
    async refund(key) {
      await store.reward(storedKey(key), 1)
    },
    async check(key) {
      const res = await store.get(storedKey(key))
      if (!res) return { limit: opts.points, remaining: opts.points, resetSeconds: opts.durationSeconds }
      const state = stateOf(res)
      if (res.consumedPoints >= opts.points) throw new RateLimitExceeded(state)
      return state
    },
  }
}

/**
 * Sets the standard RateLimit-* response headers (draft-ietf-httpapi-ratelimit-headers) for a state on `headers`:
 * on the answer's own headers, rather than a Headers of their own copied over (a second Headers and a sorted
 * iteration of it, on every API request).
 */
export function setRateLimitHeaders(headers: Headers, state: RateLimitState): void {
  headers.set('RateLimit-Limit', String(state.limit))
  headers.set('RateLimit-Remaining', String(state.remaining))
  headers.set('RateLimit-Reset', String(state.resetSeconds))
}

/** How long hits wait in the process before they are added to the shared count. */
export const FLUSH_INTERVAL_MS = 100
/** Keys written by one statement: three parameters each, well under PostgreSQL's 65,535. */
const WRITE_CHUNK = 1000
/** The share of a budget one process may admit ahead of the shared count. */
const UNCOUNTED_SHARE = 0.05

/**
 * Adds each key's hits to its shared row, with the same window rule as rate-limiter-flexible's own upsert (a window
 * that has ended starts again from these hits), and gives each row's total back. The keys and their hits go as two
 * arrays, so the statement is the same whatever the batch: built once per database handle and prepared. Built as
 * `insert … values` with a row per key, Drizzle mapped three values and a returned row per key on every flush, and
 * with the bench's many tokens nearly every request is a key of its own: about 0.02 ms a request (profiled). The
 * returned rows need no mapping either (key, points and the float8 are named and typed as returned).
 */
const addHits = preparedOnce((db) => {
  const at = sql`${sql.placeholder('at')}::timestamptz`
  const ended = sql`${rateLimits.expire} <= ${at}`
  return db
    .insert(rateLimits)
    .select(
      sql`select key, points, ${sql.placeholder('expire')}::timestamptz
          from unnest(${sql.placeholder('keys')}::text[], ${sql.placeholder('points')}::int[]) as hit (key, points)`,
    )
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        points: sql`case when ${ended} then excluded.points else ${rateLimits.points} + excluded.points end`,
        expire: sql`case when ${ended} then excluded.expire else ${rateLimits.expire} end`,
      },
    })
    .returning({
      key: rateLimits.key,
      points: rateLimits.points,
      // The window's end as a number (float8, which both drivers give as one): no Date is parsed to be turned into one.
      expireMs: sql<number | null>`(extract(epoch from ${rateLimits.expire}) * 1000)::float8`.as('expireMs'),
    })
    .prepare('rate_limit_add_hits')
})

/** `pending`: hits not yet written; `writing`: being written now; `known`: the shared total at the last write. */
type LocalCount = { pending: number; writing: number; known: number; resetAt: number }

/**
 * The same fixed windows and shared table as createRateLimiter, without a database write per hit: hits are counted
 * in the process and added to the shared rows in one statement every FLUSH_INTERVAL_MS, and each row's total
 * comes back with it. The error is bounded: a process admits at most 5% of a budget (at least one hit) beyond what
 * it has written, then waits for its write, so N instances together overshoot a budget by at most N × 5%. Hits not
 * yet written when a process dies are lost, within that same bound. For budgets where one hit matters (sign-in
 * attempts), use createRateLimiter.
 */
export function createBatchedRateLimiter(db: Db, opts: { name: string; points: number; durationSeconds: number }): RateLimiter {
  const shared = createRateLimiter(db, opts)
  const store = drizzleStore(db, opts)
  const maxPending = Math.max(1, Math.floor(opts.points * UNCOUNTED_SHARE))
  const windowMs = opts.durationSeconds * 1000
  const counts = new Map<string, LocalCount>()
  let flushing: Promise<void> | null = null
  let timer: NodeJS.Timeout | undefined
  let lastPurge = Date.now()
  /** The last write failed: the shared table is out of reach. */
  let storeDown = false

  const used = (count: LocalCount) => count.known + count.writing + count.pending
  const stateOf = (count: LocalCount, now: number): RateLimitState => ({
    limit: opts.points,
    remaining: Math.max(0, opts.points - used(count)),
    resetSeconds: Math.ceil(Math.max(0, count.resetAt - now) / 1000),
  })

  /**
   * Adds every key's pending hits to the shared table in one statement (in chunks of WRITE_CHUNK keys), with the
   * same window rule as rate-limiter-flexible's own upsert: a window that has ended starts again from these hits.
   * One statement per flush, not one per key: with many tokens each used now and then, a write per key was still
   * a write per request.
   */
  async function writeAll(batch: [string, LocalCount][]) {
    const hits = new Map(batch.map(([, count]) => [count, count.pending]))
    for (const [, count] of batch) {
      count.writing += count.pending
      count.pending = 0
    }
    const now = new Date()
    try {
      const rows = await unmappedRows(addHits(db), {
        keys: batch.map(([key]) => store.getKey(key)),
        points: batch.map(([, count]) => hits.get(count) ?? 0),
        at: now.toISOString(),
        expire: new Date(now.getTime() + windowMs).toISOString(),
      })
      const totals = new Map(rows.map((row) => [row.key, row]))
      storeDown = false
      for (const [key, count] of batch) {
        count.writing -= hits.get(count) ?? 0
        const row = totals.get(store.getKey(key))
        if (!row) continue
        // The shared total, over the budget or not: hits past it were counted all the same.
        count.known = row.points
        count.resetAt = row.expireMs ?? now.getTime() + windowMs
      }
    } catch {
      // The store failed (the database is away): keep the hits for the next write.
      for (const [, count] of batch) {
        const pending = hits.get(count) ?? 0
        count.writing -= pending
        count.pending += pending
      }
      storeDown = true
    }
  }

  function flush(): Promise<void> {
    flushing ??= (async () => {
      timer = undefined
      const now = Date.now()
      if (now - lastPurge >= PURGE_INTERVAL_MS) {
        lastPurge = now
        purgeExpiredRateLimits(db).catch(() => {})
      }
      const batch: [string, LocalCount][] = []
      for (const [key, count] of counts) {
        if (count.pending > 0) batch.push([key, count])
        // A window that has ended with nothing to write is forgotten: the map holds only keys in use.
        else if (count.resetAt <= now && count.writing === 0) counts.delete(key)
      }
      for (let i = 0; i < batch.length; i += WRITE_CHUNK) await writeAll(batch.slice(i, i + WRITE_CHUNK))
    })().finally(() => {
      flushing = null
    })
    return flushing
  }

  return {
    points: opts.points,
    async consume(rawKey) {
      const key = storedKey(rawKey)
      const now = Date.now()
      let count = counts.get(key)
      if (!count) {
        count = { pending: 0, writing: 0, known: 0, resetAt: now + windowMs }
        counts.set(key, count)
      } else if (count.resetAt <= now && count.pending === 0 && count.writing === 0) {
        count.known = 0
        count.resetAt = now + windowMs
      }
      // Never more than maxPending uncounted: wait for the write (each waiter checks again when it resumes).
      // With the table out of reach, the request fails as any database call would then (503), rather than wait.
      while (count.pending >= maxPending) {
        await flush()
        if (storeDown && count.pending >= maxPending) throw new Unavailable()
      }
      if (used(count) + 1 > opts.points) throw new RateLimitExceeded(stateOf(count, now))
      count.pending += 1
      if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_INTERVAL_MS)
        timer.unref()
      }
      return stateOf(count, now)
    },
    async reset(rawKey) {
      counts.delete(storedKey(rawKey))
      await shared.reset(rawKey)
    },
    async refund(rawKey) {
      const count = counts.get(storedKey(rawKey))
      if (count && count.pending > 0) count.pending -= 1
      else await shared.refund(rawKey)
    },
    async check(rawKey) {
      await flush()
      return shared.check(rawKey)
    },
  }
}
