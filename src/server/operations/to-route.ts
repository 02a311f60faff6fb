// Adapts operations to route handlers with real HTTP semantics: bearer-token auth, rate limits, problem+json
// errors, ETags and conditional requests, Location, pagination links and request ids.
import type { z } from 'zod'
import { resolveActor } from '../auth/actor'
import type { Db } from '../db/client'
import { AppError, MethodNotAllowed, NotFound, PreconditionFailed, toAppError, Unauthenticated } from '../errors'
import type { FileStorage } from '../files/storage'
import { readJsonObject } from '../http/body'
import { clientIp } from '../http/client-ip'
import { applyCorsHeaders, preflightHeaders } from '../http/cors'
import { etagFor, expectedVersionFromIfMatch, matchesIfNoneMatch } from '../http/etag'
import { jsonResponse } from '../http/json-response'
import { problemResponse } from '../http/problem'
import { RateLimitExceeded, type RateLimiter, rateLimitHeaders } from '../http/rate-limit'
import { requestIdFrom } from '../http/request-id'
import type { Logger } from '../log'
import { type Actor, requireScope } from '../services/context'
import { parseInput } from '../services/parse'
import type { TokenCache } from '../services/token-cache'
import type { TokenUsage } from '../services/token-usage'
import type { HttpMethod, HttpShape, Operation } from './operation'

export type RouteDeps = {
  /**
   * `appUrl` is the public origin (APP_URL) that Location, Link and `next` are built on, never the request's Host,
   * which a proxy rewrites and a client can spoof. Absent only where tests mount operations themselves: then the
   * request's own origin.
   */
  runtime(): Promise<{
    db: Db
    limits: { api: RateLimiter; anonymous: RateLimiter }
    appUrl?: string
    tokenCache?: TokenCache
    tokenUsage?: TokenUsage
    /** Where files' bytes live: only the streaming operations use it (operations/to-file-route.ts). */
    storage?: FileStorage
  }>
  now(): Date
  log: Logger
}

export type RouteHandler = (request: Request) => Promise<Response>

const BODY_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Compiles a path template such as /api/v1/projects/{id} once into a matcher for request paths: the
 * parameters when a path fits, null when it does not.
 */
export function pathMatcher(template: string): (pathname: string) => Record<string, string> | null {
  const names: string[] = []
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  const regex = new RegExp(`^${pattern}/?$`)
  return (pathname) => {
    const match = regex.exec(pathname)
    if (!match) return null
    const params: Record<string, string> = {}
    names.forEach((name, i) => {
      params[name] = safeDecode(match[i + 1] ?? '')
    })
    return params
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function copyHeaders(from: Headers, to: Headers) {
  for (const [key, value] of from) to.set(key, value)
}

function queryObject(url: URL): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [key, value] of url.searchParams) query[key] = value
  return query
}

type ApiRuntime = Awaited<ReturnType<RouteDeps['runtime']>>

/**
 * The public API's caller, settled before any input is read: the bearer token's actor, charged to its rate limit (a
 * call without a valid token to the client's address), the RateLimit-* headers added to `headers`; then
 * UNAUTHENTICATED, or FORBIDDEN when the token lacks the operation's scope. Every API adapter starts here.
 */
export async function authorizeApiCall(
  request: Request,
  op: Pick<Operation, 'scope'>,
  runtime: ApiRuntime,
  now: Date,
  headers: Headers,
): Promise<Extract<Actor, { type: 'user' }>> {
  const { db, limits, tokenCache, tokenUsage } = runtime
  const actor = await resolveActor(request.headers, { db, now, accept: 'bearer', tokenCache, tokenUsage })
  const limit =
    actor.type === 'user' && actor.via === 'token'
      ? { limiter: limits.api, key: actor.tokenId }
      : { limiter: limits.anonymous, key: clientIp(request.headers) }
  copyHeaders(rateLimitHeaders(await limit.limiter.consume(limit.key)), headers)
  if (actor.type !== 'user') throw new Unauthenticated('Send a valid API token: Authorization: Bearer tf_…')
  if (op.scope) requireScope(actor, op.scope)
  return actor
}

export function toRoute<I extends z.ZodType, O extends z.ZodType>(op: Operation<I, O>, deps: RouteDeps): RouteHandler {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  const matchParams = pathMatcher(http.path)
  const handle = async (request: Request, requestId: string): Promise<Response> => {
    const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
    try {
      const url = new URL(request.url)
      const params = matchParams(url.pathname)
      if (!params) throw new NotFound('Resource')

      const runtime = await deps.runtime()
      const { db, appUrl } = runtime
      const actor = await authorizeApiCall(request, op, runtime, deps.now(), headers)

      const fields = BODY_METHODS.has(http.method) ? await readJsonObject(request) : queryObject(url)
      const raw: Record<string, unknown> = { ...fields, ...params }
      if ('expectedVersion' in raw) delete raw.expectedVersion
      if (http.ifMatch) {
        const expected = expectedVersionFromIfMatch(request.headers.get('if-match'))
        if (expected === null) throw new PreconditionFailed()
        if (expected !== undefined) raw.expectedVersion = expected
      }
      const input = parseInput(op.input, raw)
      const output: z.output<O> = op.output.parse(await op.run({ db, actor, now: deps.now }, input))
      const publicUrl = appUrl ? new URL(`${url.pathname}${url.search}`, appUrl) : url
      return render(http, request, publicUrl, output, headers)
    } catch (thrown) {
      return failure(thrown, { requestId, route: op.name, headers, log: deps.log })
    }
  }
  return (request) => logged(request, op.name, deps, handle)
}

/** The problem answer for anything thrown; only the unexpected (not an AppError) is logged, with the request id. */
export function failure(thrown: unknown, at: { requestId: string; route: string; headers: Headers; log: Logger }): Response {
  const error = toAppError(thrown)
  if (error instanceof RateLimitExceeded) copyHeaders(rateLimitHeaders(error.state), at.headers)
  if (!(thrown instanceof AppError)) at.log.error('request failed', { requestId: at.requestId, route: at.route, error: thrown })
  return problemResponse(error, at.requestId, at.headers)
}

/** Answers with `handle`, then writes the access-log line: one per API request, whatever its outcome. */
export async function logged(
  request: Request,
  route: string,
  deps: RouteDeps,
  handle: (request: Request, requestId: string) => Promise<Response>,
): Promise<Response> {
  const started = performance.now()
  const requestId = requestIdFrom(request.headers)
  const response = await handle(request, requestId)
  const durationMs = Math.round((performance.now() - started) * 10) / 10
  deps.log.access({ requestId, route, method: request.method, status: response.status, durationMs })
  return response
}

function render<O>(http: HttpShape<O>, request: Request, url: URL, output: O, headers: Headers): Response {
  headers.set('Cache-Control', http.method === 'GET' ? 'private, no-cache' : 'no-store')
  headers.set('Vary', 'Authorization')
  if (http.status === 204) return new Response(null, { status: 204, headers })

  const version = http.etagVersion?.(output)
  if (version !== undefined) {
    headers.set('ETag', etagFor(version))
    if (http.method === 'GET' && matchesIfNoneMatch(request.headers.get('if-none-match'), version)) {
      return new Response(null, { status: 304, headers })
    }
  }
  if (http.status === 201 && http.location) headers.set('Location', new URL(http.location(output), url).toString())

  let body: unknown = output
  if (http.paginated) body = withNextLink(output, url, headers)
  headers.set('Content-Type', 'application/json')
  return jsonResponse(body, http.status, headers)
}

// A page gets the URL of the next one both as a Link header (RFC 8288) and in the body, for clients that ignore headers.
function withNextLink(output: unknown, url: URL, headers: Headers): unknown {
  if (typeof output !== 'object' || output === null || !('nextCursor' in output)) return output
  const cursor = output.nextCursor
  if (typeof cursor !== 'string') return { ...output, next: null }
  const next = new URL(url)
  next.searchParams.set('cursor', cursor)
  headers.set('Link', `<${next.toString()}>; rel="next"`)
  return { ...output, next: next.toString() }
}

/**
 * All method handlers for one path: the operations given, 405 with Allow for the rest, and OPTIONS, which is also
 * the CORS preflight. HEAD is left to Next, which answers it from GET without the body.
 */
export function mountRoutes(ops: readonly Operation[], deps: RouteDeps) {
  const byMethod = new Map<string, RouteHandler>()
  for (const op of ops) if (op.http) byMethod.set(op.http.method, op.http.stream ? op.http.stream.adapter(op, deps) : toRoute(op, deps))
  const allow = [...byMethod.keys(), 'OPTIONS']
  if (byMethod.has('GET')) allow.push('HEAD')
  const route = ops.find((op) => op.http)?.http?.path ?? 'unknown'
  // A method the path does not serve still counts, against the caller's address (it is not worth resolving a
  // token to refuse it), so that this answer too carries RateLimit-* and cannot be sent without limit.
  const notAllowed: RouteHandler = (request) =>
    logged(request, route, deps, async (_, requestId) => {
      const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
      try {
        const { limits } = await deps.runtime()
        copyHeaders(rateLimitHeaders(await limits.anonymous.consume(clientIp(request.headers))), headers)
        throw new MethodNotAllowed(allow)
      } catch (thrown) {
        return failure(thrown, { requestId, route, headers, log: deps.log })
      }
    })
  const handler = (method: HttpMethod) => byMethod.get(method) ?? notAllowed
  // The CORS preflight is not counted: a browser sends it without the token, and it does no work.
  const options: RouteHandler = (request) =>
    logged(request, route, deps, async (_, requestId) => {
      const headers = preflightHeaders(allow)
      headers.set('Allow', allow.join(', '))
      headers.set('X-Request-Id', requestId)
      return new Response(null, { status: 204, headers })
    })
  return {
    GET: handler('GET'),
    POST: handler('POST'),
    PUT: handler('PUT'),
    PATCH: handler('PATCH'),
    DELETE: handler('DELETE'),
    OPTIONS: options,
  }
}
