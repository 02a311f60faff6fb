// The public API in-process, through the REAL route modules (src/app/api/v1/**/route.ts) called with real `Request`
// objects, exactly as Next calls them: a request path is matched against the app directory's route files, the
// module's exported method handler answers (404 without a route file, 405 for a method it does not export, HEAD
// from GET without a body, as Next does). getRuntime() is pointed at this test file's database through
// setRuntimeForTests. Tests that need injected deps (a captured log, a clock, other operations) get the
// operations mounted with mountRoutes instead, as the route files mount them.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createAuth } from '../../src/server/auth/auth'
import { parseConfig } from '../../src/server/config'
import type { Database } from '../../src/server/db/client'
import { localStorage } from '../../src/server/files/local-storage'
import type { FileStorage } from '../../src/server/files/storage'
import { createRateLimiter, type RateLimiter } from '../../src/server/http/rate-limit'
import type { Logger } from '../../src/server/log'
import type { Operation } from '../../src/server/operations/operation'
import { publicOperations } from '../../src/server/operations/registry'
import { createLimits, setRuntimeForTests } from '../../src/server/runtime'
import { SCOPES, type Scope } from '../../src/server/services/context'
import * as tokens from '../../src/server/services/tokens'
import { pathMatcher } from '../../src/server/transports/api-call'
import { mountRoutes, type RouteDeps } from '../../src/server/transports/to-route'
import { contextDepsFor, contextFor, createUser, sessionActor } from './db'

export const ORIGIN = 'http://api.test'

export type LogLine = { level: string; message: string; fields: Record<string, unknown> }

export type ApiHarness = {
  /** Sends a request to whichever route file matches its path, as Next's router would. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** What the handlers logged: only with injected `deps` (the real route modules log through src/server/log). */
  logs: LogLine[]
  limits: { api: RateLimiter; anonymous: RateLimiter }
}

export type ApiOptions = {
  apiPoints?: number
  anonymousPoints?: number
  /** Mounts the operations with these deps (and a captured log) instead of calling the real route modules. */
  deps?: Partial<RouteDeps>
  /** Mounts only these operations (implies the mounted harness, like `deps`). */
  ops?: readonly Operation[]
  /** Where uploads go; by default a fresh directory under the system's temp dir. */
  storage?: FileStorage
}

/** Local file storage in a fresh temporary directory. */
export function temporaryStorage(): FileStorage & { dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'twofold-files-'))
  return { ...localStorage(dir), dir }
}

export function captureLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, message, fields })
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), access: (line) => at('info')('request', line) }
}

/** One route file per distinct path template, like src/app/api/v1/**\/route.ts. */
export function routeFiles(ops: readonly Operation[] = publicOperations): Map<string, Operation[]> {
  const byPath = new Map<string, Operation[]>()
  for (const op of ops) if (op.http) byPath.set(op.http.path, [...(byPath.get(op.http.path) ?? []), op])
  return byPath
}

type Handler = (request: Request) => Promise<Response> | Response
type RouteModule = Partial<Record<string, unknown>>
type AppRoute = { file: string; match: (pathname: string) => boolean; load: () => Promise<RouteModule> }

const APP_DIR = path.resolve(import.meta.dirname, '../../src/app')

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => {
    made ??= make()
    return made
  }
}

/** The route files of the public API, each with a matcher built from its folder names ([id] is one segment). */
function appRoutes(): AppRoute[] {
  const files = readdirSync(path.join(APP_DIR, 'api/v1'), { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => path.join('api/v1', file))
  return files.map((file) => {
    const segments = path.dirname(file).split(path.sep)
    const pattern = segments
      .map((segment) => {
        if (/^\[\.\.\.\w+\]$/.test(segment)) return '.+'
        if (/^\[\w+\]$/.test(segment)) return '[^/]+'
        return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
      })
      .join('/')
    const regex = new RegExp(`^/${pattern}/?$`)
    return {
      file,
      match: (pathname: string) => regex.test(pathname),
      // Imported once: a dynamic import() per request would put the module loader's hooks into every figure.
      load: once(async (): Promise<RouteModule> => import(pathToFileURL(path.join(APP_DIR, file)).href)),
    }
  })
}

// Static folders win over dynamic ones in Next's router, and a catch-all comes last: try the routes with fewer
// brackets first.
const rank = (file: string) => (file.includes('[...') ? 100 : 0) + (file.match(/\[/g)?.length ?? 0)
const routes = appRoutes().sort((a, b) => rank(a.file) - rank(b.file))

function handlerOf(module: RouteModule, method: string): Handler | undefined {
  const exported = module[method]
  // A route module's exports are functions of (Request) by Next's contract; anything else is not a handler.
  return typeof exported === 'function' ? (exported as Handler) : undefined
}

/** What Next does with a request for a route module: its handler, HEAD from GET, OPTIONS with Allow, else 405. */
async function dispatch(module: RouteModule, request: Request): Promise<Response> {
  const method = request.method.toUpperCase()
  const own = handlerOf(module, method)
  if (own) return own(request)
  const get = handlerOf(module, 'GET')
  if (method === 'HEAD' && get) {
    const response = await get(new Request(request.url, { headers: request.headers, signal: request.signal }))
    // Next sends no body for HEAD and lets go of the GET's: an event stream or a download would stay open otherwise.
    await response.body?.cancel()
    return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
  const allowed = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => handlerOf(module, m))
  if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: [...allowed, 'OPTIONS'].join(', ') } })
  return new Response(null, { status: 405, headers: { Allow: allowed.join(', ') } })
}

const testConfig = parseConfig({
  NODE_ENV: 'test',
  DATABASE_URL: 'memory://',
  BETTER_AUTH_SECRET: 'api-harness-secret-api-harness-secret-0123',
  APP_URL: ORIGIN,
})

function harnessLimits(database: Database, options: ApiOptions) {
  // A name per harness: several harnesses on one database must not share a budget by accident.
  const suffix = Math.random().toString(36).slice(2, 8)
  return {
    api: createRateLimiter(database.db, { name: `api-${suffix}`, points: options.apiPoints ?? 10_000, durationSeconds: 60 }),
    anonymous: createRateLimiter(database.db, { name: `anon-${suffix}`, points: options.anonymousPoints ?? 10_000, durationSeconds: 60 }),
  }
}

export function createApi(database: Database, options: ApiOptions = {}): ApiHarness {
  return options.deps || options.ops ? mountedApi(database, options) : realApi(database, options)
}

function realApi(database: Database, options: ApiOptions): ApiHarness {
  // A Database object of this harness's own: getRuntime() finds the limits by it, so two harnesses on one
  // database (one with a small budget) keep their budgets apart.
  const own: Database = { ...database }
  const limits = harnessLimits(database, options)
  const storage = options.storage ?? temporaryStorage()
  const shared = { config: testConfig, database: own, auth: createAuth(own.db, testConfig), storage }
  const allLimits = { ...createLimits(own), ...limits }
  return {
    logs: [],
    limits,
    async fetch(requestPath, init) {
      const request = new Request(new URL(requestPath, ORIGIN), init)
      const { pathname } = new URL(request.url)
      const route = routes.find(({ match }) => match(pathname))
      if (!route) return new Response(null, { status: 404 })
      const module = await route.load()
      // getRuntime() reads the runtime before the handler's first await, so setting it here is safe even when
      // several harnesses send requests at once.
      setRuntimeForTests(shared, allLimits)
      return dispatch(module, request)
    },
  }
}

function mountedApi(database: Database, options: ApiOptions): ApiHarness {
  const logs: LogLine[] = []
  const limits = harnessLimits(database, options)
  const storage = options.storage ?? temporaryStorage()
  const deps: RouteDeps = {
    runtime: async () => ({ context: { ...contextDepsFor(database), appUrl: ORIGIN, storage }, limits }),
    log: captureLogger(logs),
    ...options.deps,
  }
  const mounted = [...routeFiles(options.ops)].map(([template, ops]) => ({
    match: pathMatcher(template),
    handlers: mountRoutes(ops, deps),
  }))
  return {
    logs,
    limits,
    async fetch(requestPath, init) {
      const request = new Request(new URL(requestPath, ORIGIN), init)
      const { pathname } = new URL(request.url)
      const route = mounted.find(({ match }) => match(pathname))
      if (!route) return new Response(null, { status: 404 })
      return dispatch(route.handlers, request)
    },
  }
}

/** A token `userId` makes in `workspace` (a slug; by default their personal workspace) with `scopes` (all by default). */
export async function bearerTokenFor(database: Database, userId: string, scopes: readonly Scope[] = SCOPES, workspace?: string) {
  const ctx = contextFor(database, sessionActor(userId), undefined, workspace)
  const { token, apiToken } = await tokens.create(ctx, { name: 'test', scopes: [...scopes] })
  return { token, tokenId: apiToken.id, authorization: `Bearer ${token}` }
}

/** A new user with an API token carrying `scopes` (all by default). */
export async function userWithToken(database: Database, scopes?: readonly Scope[]) {
  const userId = await createUser(database)
  return { userId, ...(await bearerTokenFor(database, userId, scopes)) }
}

/** A JSON request with an optional bearer token. */
export function jsonRequest(method: string, body: unknown, authorization?: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}), ...headers },
  }
}
