// Fixed-window rate limits kept in the database (rate-limiter-flexible's Drizzle store), so every app
// instance on the same PostgreSQL shares one count; on embedded PGlite there is only one instance anyway.
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible'
import type { Db } from '../db/client'
import { rateLimits } from '../db/schema'
import { RateLimited } from '../errors'

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

export function createRateLimiter(db: Db, opts: { name: string; points: number; durationSeconds: number }): RateLimiter {
  const store = new RateLimiterDrizzle({
    storeClient: db,
    schema: rateLimits,
    keyPrefix: opts.name,
    points: opts.points,
    duration: opts.durationSeconds,
    clearExpiredByTimeout: false,
  })
  const stateOf = (res: RateLimiterRes): RateLimitState => ({
    limit: opts.points,
    remaining: Math.max(0, opts.points - res.consumedPoints),
    resetSeconds: Math.ceil(Math.max(0, res.msBeforeNext) / 1000),
  })
  return {
    points: opts.points,
    async consume(key) {
      try {
        return stateOf(await store.consume(key))
      } catch (rejection) {
        // The library rejects with a RateLimiterRes when the window is used up, with an Error when the store fails.
        if (rejection instanceof RateLimiterRes) throw new RateLimitExceeded(stateOf(rejection))
        throw rejection
      }
    },
    async reset(key) {
      await store.delete(key)
    },
    async refund(key) {
      await store.reward(key, 1)
    },
    async check(key) {
      const res = await store.get(key)
      if (!res) return { limit: opts.points, remaining: opts.points, resetSeconds: opts.durationSeconds }
      const state = stateOf(res)
      if (res.consumedPoints >= opts.points) throw new RateLimitExceeded(state)
      return state
    },
  }
}

/** The standard RateLimit-* response headers (draft-ietf-httpapi-ratelimit-headers) for a state. */
export function rateLimitHeaders(state: RateLimitState): Headers {
  return new Headers({
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
  })
}
