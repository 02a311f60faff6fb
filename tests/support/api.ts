// The public API in-process: every operation of the registry mounted with toRoute/mountRoutes, exactly as the
// route files under src/app/api/v1 mount them, but on this test file's own database and with a captured log.
// Requests are real `Request` objects; responses real `Response`s.
import type { Database } from '../../src/server/db/client'
import { createRateLimiter, type RateLimiter } from '../../src/server/http/rate-limit'
import type { Logger } from '../../src/server/log'
import type { HttpMethod, Operation } from '../../src/server/operations/operation'
import { publicOperations } from '../../src/server/operations/registry'
import { mountRoutes, pathMatcher, type RouteDeps } from '../../src/server/operations/to-route'
import type { Scope } from '../../src/server/services/context'
import * as tokens from '../../src/server/services/tokens'
import { contextFor, createUser, sessionActor } from './db'

export const ORIGIN = 'http://api.test'

export type LogLine = { level: string; message: string; fields: Record<string, unknown> }

export type ApiHarness = {
  /** Sends a request to whichever mounted path matches, as Next's router would. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  logs: LogLine[]
  limits: { api: RateLimiter; anonymous: RateLimiter }
}

export function captureLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, message, fields })
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** One route file per distinct path template, like src/app/api/v1/**\/route.ts. */
export function routeFiles(ops: readonly Operation[] = publicOperations): Map<string, Operation[]> {
  const byPath = new Map<string, Operation[]>()
  for (const op of ops) if (op.http) byPath.set(op.http.path, [...(byPath.get(op.http.path) ?? []), op])
  return byPath
}

export function createApi(
  database: Database,
  options: { apiPoints?: number; anonymousPoints?: number; deps?: Partial<RouteDeps>; ops?: readonly Operation[] } = {},
): ApiHarness {
  const logs: LogLine[] = []
  // A name per harness: several harnesses on one database must not share a budget by accident.
  const suffix = Math.random().toString(36).slice(2, 8)
  const limits = {
    api: createRateLimiter(database.db, { name: `api-${suffix}`, points: options.apiPoints ?? 10_000, durationSeconds: 60 }),
    anonymous: createRateLimiter(database.db, { name: `anon-${suffix}`, points: options.anonymousPoints ?? 10_000, durationSeconds: 60 }),
  }
  const deps: RouteDeps = {
    runtime: async () => ({ db: database.db, limits }),
    now: () => new Date(),
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
    async fetch(path, init) {
      const request = new Request(new URL(path, ORIGIN), init)
      const { pathname } = new URL(request.url)
      const route = mounted.find(({ match }) => match(pathname))
      if (!route) return new Response('no route', { status: 599 })
      const method = request.method.toUpperCase() as HttpMethod | 'OPTIONS'
      const handler = route.handlers[method]
      if (!handler) return new Response('no handler', { status: 599 })
      return handler(request)
    },
  }
}

/** A new API token for an existing user, as the Authorization header value. */
export async function bearerTokenFor(database: Database, userId: string, scopes: readonly Scope[] = ['projects:read', 'projects:write']) {
  const { token, apiToken } = await tokens.create(contextFor(database, sessionActor(userId)), { name: 'test', scopes: [...scopes] })
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
