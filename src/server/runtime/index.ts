// The composition root: builds the database, auth and rate limiters once per process and hands them to adapters.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { SignInLimits } from '../auth/accounts'
import type { Auth } from '../auth/auth'
import type { PasswordResetLimits } from '../auth/password-reset'
import type { BackgroundWorker } from '../background-worker'
import type { BillingWorker } from '../billing/worker'
import { type Config, config } from '../config'
import { type Database, openDatabase } from '../db/client'
import { localStorage } from '../files/local-storage'
import { startPurgeWorker } from '../files/purge'
import { createStorage, type FileStorage } from '../files/storage'
import { createBatchedRateLimiter, createRateLimiter, type RateLimiter } from '../http/rate-limit'
import { endAllStreams } from '../live/open-streams'
import { flushLogs, log } from '../log'
import { mailTransportFor } from '../mail/transport'
import { type MailWorker, startMailWorker } from '../mail/worker'
import type { ContextDeps } from '../services/context'
import { AUTH_CHANGED, TokenCache } from '../services/token-cache'
import { TokenUsage } from '../services/token-usage'

export type Limits = {
  /** Public API requests per token. */
  api: RateLimiter
  /** Public API requests without a valid token, per client IP: slows down token guessing. */
  anonymous: RateLimiter
  /** OAuth sign-ins started per client IP (src/server/auth/oauth.ts). */
  oauthStarts: RateLimiter
} & SignInLimits &
  PasswordResetLimits

/**
 * What is opened once per process: the configuration, the database and the API token cache (kept true by the
 * database's notifications; absent where nothing listens, e.g. in tests that build their own). The public API
 * needs no more than this.
 */
export type CoreRuntime = {
  config: Config
  database: Database
  tokenCache?: TokenCache
  tokenUsage?: TokenUsage
  /** Where uploaded files' bytes live. */
  storage: FileStorage
  /** What every service context is built with (services/context.ts#buildContext). */
  context: ContextDeps
  /**
   * Better Auth, loaded on the first call rather than at start: its modules take a third of a second to load, and
   * the public API (bearer tokens only) and the health checks never need it, so an API-only instance never loads it.
   */
  loadAuth(): Promise<Auth>
}
/** The core and Better Auth, which the app's pages and actions need for sessions. */
export type SharedRuntime = CoreRuntime & { auth: Auth }
export type Runtime = SharedRuntime & { limits: Limits }
export type ApiRuntime = CoreRuntime & { limits: Limits }

export function createLimits(database: Database): Limits {
  const { db } = database
  return {
    // The API's budgets are counted in the process and written in batches (bounded error, see rate-limit.ts): a
    // write per request was a third of the API's database round trips.
    api: createBatchedRateLimiter(db, { name: 'api', points: 600, durationSeconds: 60 }),
    anonymous: createBatchedRateLimiter(db, { name: 'api-anon', points: 60, durationSeconds: 60 }),
    signInFailures: createRateLimiter(db, { name: 'sign-in', points: 5, durationSeconds: 15 * 60 }),
    // An office or a mobile carrier puts many people behind one address: the per-IP budget must outlast them.
    signInFailuresByIp: createRateLimiter(db, { name: 'sign-in-ip', points: 50, durationSeconds: 15 * 60 }),
    signUps: createRateLimiter(db, { name: 'sign-up', points: 10, durationSeconds: 60 * 60 }),
    oauthStarts: createRateLimiter(db, { name: 'oauth-start', points: 30, durationSeconds: 15 * 60 }),
    passwordResets: createRateLimiter(db, { name: 'reset', points: 3, durationSeconds: 60 * 60 }),
    passwordResetsByIp: createRateLimiter(db, { name: 'reset-ip', points: 20, durationSeconds: 60 * 60 }),
  }
}

async function openCoreRuntime(cfg: Config): Promise<CoreRuntime> {
  const database = await openDatabase(cfg.database)
  try {
    const core = assemble(cfg, database, await createStorage(cfg.files))
    core.tokenCache = listeningTokenCache(database)
    core.tokenUsage = new TokenUsage(database.db)
    // Imported only when asked for (development): it brings the project and workspace services with it.
    if (cfg.seedDemo) await (await import('../seed')).seedDemo({ auth: await core.loadAuth(), deps: core.context })
    log.info('runtime ready', { database: database.kind })
    return core
  } catch (error) {
    // The next attempt opens its own database: this one must not linger with its connections.
    await database.close().catch(() => {})
    throw error
  }
}

/**
 * The runtime's parts from an open database and storage. Better Auth (and with it the password hasher) and the
 * Stripe SDK load on first use: an API-only instance never needs the first, and most requests never need the second.
 */
function assemble(cfg: Config, database: Database, storage: FileStorage, loadAuth = once(() => createAuthFor(cfg, database))): CoreRuntime {
  const hasher = once(async () => (await import('../auth/auth')).passwordHasher(await loadAuth()))
  const stripe = once(async () => (cfg.stripe ? (await import('../billing/stripe-client')).stripeAccess(cfg.stripe) : null))
  const context: ContextDeps = {
    db: database.db,
    now: () => new Date(),
    appUrl: cfg.appUrl,
    mailQueued: nudgeMailWorker,
    passwords: {
      hash: async (password) => (await hasher()).hash(password),
      verify: async (data) => (await hasher()).verify(data),
    },
    stripe,
    storage,
    notifications: database.notifications,
  }
  return { config: cfg, database, storage, context, loadAuth }
}

/** `load` run once, on the first call; a failure is not kept, so the next call tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }
}

async function createAuthFor(cfg: Config, database: Database): Promise<Auth> {
  const { createAuth } = await import('../auth/auth')
  return createAuth(database.db, cfg, nudgeMailWorker)
}

/** A token cache cleared by every announced change, and off whenever the listening connection is down. */
function listeningTokenCache(database: Database): TokenCache {
  const cache = new TokenCache()
  database.notifications.subscribe(AUTH_CHANGED, { message: () => cache.clear(), live: (live) => cache.setLive(live) })
  return cache
}

/** A runtime of its own, outside the app (scripts such as db:seed). */
export async function createRuntime(cfg: Config): Promise<Runtime> {
  const core = await openCoreRuntime(cfg)
  return { ...core, auth: await core.loadAuth(), limits: createLimits(core.database) }
}

// The shared part is kept on globalThis: Next loads this module in several bundles (instrumentation, route
// handlers, pages and actions) and in development re-evaluates it on every edit, but an embedded database must
// be opened exactly once. Each bundle has its own copy of the error classes, though, so the rate limiters,
// which throw them, are built per copy: a RATE_LIMITED thrown into an action must be that action's RateLimited.
const RUNTIME = Symbol.for('twofold.runtime')
const MAIL_WORKER = Symbol.for('twofold.mail-worker')
const BILLING_WORKER = Symbol.for('twofold.billing-worker')
const PURGE_WORKER = Symbol.for('twofold.file-purge-worker')
type Holder = {
  [RUNTIME]?: Promise<CoreRuntime>
  [MAIL_WORKER]?: MailWorker
  [BILLING_WORKER]?: Promise<BillingWorker | null>
  [PURGE_WORKER]?: BackgroundWorker
}
const limitsOf = new WeakMap<Database, Limits>()

async function getCoreRuntime(): Promise<CoreRuntime> {
  const holder = globalThis as Holder
  holder[RUNTIME] ??= openAppRuntime(config()).catch((error: unknown) => {
    holder[RUNTIME] = undefined
    throw error
  })
  return holder[RUNTIME]
}

function limitsFor(database: Database): Limits {
  let limits = limitsOf.get(database)
  if (!limits) {
    limits = createLimits(database)
    limitsOf.set(database, limits)
  }
  return limits
}

/** What the public API and the health checks run on: the core and the rate limiters, no Better Auth. */
export async function getApiRuntime(): Promise<ApiRuntime> {
  const core = await getCoreRuntime()
  return { ...core, limits: limitsFor(core.database) }
}

/** What the app's pages and actions run on: the API's runtime and Better Auth, loaded on the first call. */
export async function getRuntime(): Promise<Runtime> {
  const core = await getCoreRuntime()
  return { ...core, auth: await core.loadAuth(), limits: limitsFor(core.database) }
}

/**
 * The app's runtime: the core, and the background workers, which only a server (not a script) runs, and only those
 * WORKERS names: with several instances, the work can be left to some of them (README, "Running several instances").
 */
async function openAppRuntime(cfg: Config): Promise<CoreRuntime> {
  const core = await openCoreRuntime(cfg)
  if (!shuttingDown) {
    if (cfg.workers.has('mail')) startMailWorkerOnce(core)
    if (cfg.workers.has('billing')) startBillingWorkerOnce(core)
    if (cfg.workers.has('purge')) startPurgeWorkerOnce(core)
  }
  return core
}

/** Removes the bytes of deleted files (and of uploads a crash abandoned): files/purge.ts. */
function startPurgeWorkerOnce({ database, storage }: CoreRuntime): void {
  const holder = globalThis as Holder
  if (holder[PURGE_WORKER] || !storage) return
  holder[PURGE_WORKER] = startPurgeWorker({ db: database.db, storage, notifications: database.notifications, log })
}

/**
 * Applies recorded Stripe events (services/billing.ts) when Stripe is configured. The SDK is imported only then, so
 * an instance without billing never loads it; events recorded meanwhile wait in stripe_events.
 */
function startBillingWorkerOnce({ config: cfg, database }: CoreRuntime): void {
  const holder = globalThis as Holder
  if (holder[BILLING_WORKER] || !cfg.stripe) return
  const stripeConfig = cfg.stripe
  holder[BILLING_WORKER] = (async () => {
    const [{ createStripeClient }, { startBillingWorker }] = await Promise.all([
      import('../billing/stripe-client'),
      import('../billing/worker'),
    ])
    const stripe = createStripeClient(stripeConfig)
    if (!stripe || shuttingDown) return null
    const worker = startBillingWorker({ db: database.db, stripe, now: () => new Date(), log })
    log.info('billing worker started')
    return worker
  })().catch((error: unknown) => {
    log.error('billing worker not started: recorded Stripe events wait until a restart', { error })
    return null
  })
}

/** Asks the billing worker to apply recorded events now (the webhook, after recording one). */
export function nudgeBillingWorker(): void {
  void (globalThis as Holder)[BILLING_WORKER]?.then((worker) => worker?.nudge())
}

function startMailWorkerOnce({ config: cfg, database }: CoreRuntime): void {
  const holder = globalThis as Holder
  if (holder[MAIL_WORKER]) return
  const transport = mailTransportFor(cfg, log)
  if (!transport) {
    log.warn('SMTP_URL is not set: e-mail is kept in the outbox, unsent, until it is')
    return
  }
  holder[MAIL_WORKER] = startMailWorker({ db: database.db, transport, log })
  log.info('mail worker started', { transport: transport.kind })
}

/**
 * Asks the mail worker to deliver now: call it after committing a transaction that queued mail (enqueueMail), so
 * the message leaves within moments rather than at the next tick. Does nothing where no worker runs.
 */
export function nudgeMailWorker(): void {
  ;(globalThis as Holder)[MAIL_WORKER]?.nudge()
}

const RETRY_FIRST_MS = 500
const RETRY_MAX_MS = 10_000

/**
 * Opens the runtime off the start-up path: a database that is down at start must not keep the server from
 * listening (requests meanwhile answer 503), and must not need a restart once it is back. Each failure is logged
 * and retried with doubling delays up to RETRY_MAX_MS; a request may succeed sooner, since getRuntime() itself
 * tries again on every call. The attempts stop once the runtime is open or the process is shutting down.
 */
export function openRuntimeInBackground(): void {
  let delay = RETRY_FIRST_MS
  const attempt = async (number: number): Promise<void> => {
    if (shuttingDown) return
    try {
      await getCoreRuntime()
    } catch (error) {
      log.error('database not reachable at start: retrying', { attempt: number, retryInMs: delay, error })
      const timer = setTimeout(() => void attempt(number + 1), delay)
      // A retry alone must not keep the process alive (shutdown, tests).
      timer.unref()
      delay = Math.min(delay * 2, RETRY_MAX_MS)
    }
  }
  void attempt(1)
}

let shuttingDown = false
const SHUTDOWN = Symbol.for('twofold.shutdown')
/** Set on globalThis by the HTTP shell (http-shell.js) the moment SIGTERM arrives; every bundle reads the same one. */
const DRAINING = Symbol.for('twofold.draining')

/**
 * Whether this process has been told to stop: it still serves what reaches it, but readiness says 503 so a load
 * balancer stops sending new requests before the server stops listening (http-shell.js, SHUTDOWN_DRAIN_MS).
 */
export function isDraining(): boolean {
  return (globalThis as { [DRAINING]?: boolean })[DRAINING] === true
}
type ShutdownHooks = { endStreams?(): void; close?(): Promise<void> }

/** Stops the mail and billing workers (letting a round in progress finish), writes pending token usage, closes the database. */
async function closeRuntime(): Promise<void> {
  shuttingDown = true
  const holder = globalThis as Holder
  const opening = holder[RUNTIME]
  holder[RUNTIME] = undefined
  const shared = await opening?.catch(() => undefined)
  if (!shared) return
  const worker = holder[MAIL_WORKER]
  holder[MAIL_WORKER] = undefined
  if (worker) {
    await worker.stop()
    log.info('mail worker stopped')
  }
  const purge = holder[PURGE_WORKER]
  holder[PURGE_WORKER] = undefined
  await purge?.stop()
  const billing = await holder[BILLING_WORKER]
  holder[BILLING_WORKER] = undefined
  if (billing) {
    await billing.stop()
    log.info('billing worker stopped')
  }
  await shared.tokenUsage?.flush()
  await shared.database.close()
  log.info('database closed', { database: shared.database.kind })
}

/**
 * What server.js calls on SIGTERM: endStreams before it waits for in-flight requests, close after they are done.
 * close stops the mail and billing workers (letting a round in progress finish, so nothing is left half-recorded) and
 * then ends the database (the pool's connections, or PGlite's files), once, whether or not it ever opened.
 */
export function registerShutdownHooks(): void {
  const hooks: ShutdownHooks = {
    // Event streams (SSE) never end by themselves: their clients reconnect to another instance after `retry`.
    endStreams: endAllStreams,
    async close() {
      try {
        await closeRuntime()
      } finally {
        // The server writes its own last line ("stopped") straight after: every line of ours must be out first.
        flushLogs()
      }
    },
  }
  Object.assign(globalThis, { [SHUTDOWN]: hooks })
}

/** The user (and session) id of the signed session cookie in these headers, if any. */
export async function sessionUserId(auth: Auth, headers: Headers): Promise<{ userId: string; sessionId: string } | null> {
  const result = await auth.api.getSession({ headers })
  return result ? { userId: result.user.id, sessionId: result.session.id } : null
}

const testRuntimes = new WeakMap<object, CoreRuntime>()

/**
 * Tests only: makes getRuntime() answer with a runtime on the test's own database and Better Auth (and `limits`, if
 * given, for its database), so the real route modules under src/app run there. Never called by the app.
 */
export function setRuntimeForTests(
  parts: { config: Config; database: Database; auth: Auth; storage?: FileStorage },
  limits?: Limits,
): void {
  // The API harness sets its runtime before every request: the runtime is assembled once per set of parts.
  let core = testRuntimes.get(parts)
  if (!core) {
    const storage = parts.storage ?? localStorage(mkdtempSync(path.join(tmpdir(), 'twofold-runtime-files-')))
    core = assemble(parts.config, parts.database, storage, async () => parts.auth)
    testRuntimes.set(parts, core)
  }
  const holder = globalThis as Holder
  holder[RUNTIME] = Promise.resolve(core)
  if (limits) limitsOf.set(parts.database, limits)
}
