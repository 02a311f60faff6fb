// The composition root: builds the database, auth and rate limiters once per process and hands them to adapters.
import { type Auth, createAuth } from './auth/auth'
import { type Config, config } from './config'
import { type Database, openDatabase } from './db/client'
import { createRateLimiter, type RateLimiter } from './http/rate-limit'
import { log } from './log'
import { seedDemo } from './seed'

export type Limits = {
  /** Public API requests per token. */
  api: RateLimiter
  /** Public API requests without a valid token, per client IP: slows down token guessing. */
  anonymous: RateLimiter
  /** Failed sign-ins per e-mail address and per IP. */
  signInFailures: RateLimiter
  /** New accounts per IP. */
  signUps: RateLimiter
}

export type Runtime = { config: Config; database: Database; auth: Auth; limits: Limits }

export function createLimits(database: Database): Limits {
  const { db } = database
  return {
    api: createRateLimiter(db, { name: 'api', points: 600, durationSeconds: 60 }),
    anonymous: createRateLimiter(db, { name: 'api-anon', points: 60, durationSeconds: 60 }),
    signInFailures: createRateLimiter(db, { name: 'sign-in', points: 5, durationSeconds: 15 * 60 }),
    signUps: createRateLimiter(db, { name: 'sign-up', points: 10, durationSeconds: 60 * 60 }),
  }
}

export async function createRuntime(cfg: Config): Promise<Runtime> {
  const database = await openDatabase(cfg.database)
  const runtime: Runtime = { config: cfg, database, auth: createAuth(database.db, cfg), limits: createLimits(database) }
  if (cfg.seedDemo) await seedDemo(runtime)
  log.info('runtime ready', { database: database.kind })
  return runtime
}

// Kept on globalThis: Next may load this module in several bundles (instrumentation, routes, pages) and
// in development re-evaluates it on every edit, but an embedded database must be opened exactly once.
const RUNTIME = Symbol.for('twofold.runtime')
type Holder = { [RUNTIME]?: Promise<Runtime> }

export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder
  holder[RUNTIME] ??= createRuntime(config()).catch((error: unknown) => {
    holder[RUNTIME] = undefined
    throw error
  })
  return holder[RUNTIME]
}

/** The user id of the signed session cookie in these headers, if any. */
export async function sessionUserId(auth: Auth, headers: Headers): Promise<string | null> {
  const result = await auth.api.getSession({ headers })
  return result?.user.id ?? null
}
