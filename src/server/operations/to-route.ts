// Adapts operations to route handlers with real HTTP semantics: bearer-token auth, rate limits, problem+json
// errors, ETags and conditional requests, Location, pagination links and request ids.
import type { z } from 'zod'
import { resolveActor } from '../auth/actor'
import type { Db } from '../db/client'
import { AppError, MethodNotAllowed, NotFound, PreconditionFailed, toAppError, Unauthenticated } from '../errors'
import { readJsonObject } from '../http/body'
import { clientIp } from '../http/client-ip'
import { etagFor, expectedVersionFromIfMatch, matchesIfNoneMatch } from '../http/etag'
import { problemResponse } from '../http/problem'
import { RateLimitExceeded, type RateLimiter, rateLimitHeaders } from '../http/rate-limit'
import { requestIdFrom } from '../http/request-id'
import type { Logger } from '../log'
import { requireScope } from '../services/context'
import { parseInput } from '../services/parse'
import type { HttpMethod, HttpShape, Operation } from './operation'

export type RouteDeps = {
  runtime(): Promise<{ db: Db; limits: { api: RateLimiter; anonymous: RateLimiter } }>
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

export function toRoute<I extends z.ZodType, O extends z.ZodType>(op: Operation<I, O>, deps: RouteDeps): RouteHandler {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  const matchParams = pathMatcher(http.path)
  return async (request) => {
    const requestId = requestIdFrom(request.headers)
    const headers = new Headers({ 'X-Request-Id': requestId })
    try {
      const url = new URL(request.url)
      const params = matchParams(url.pathname)
      if (!params) throw new NotFound('Resource')

      const { db, limits } = await deps.runtime()
      const actor = await resolveActor(request.headers, { db, now: deps.now(), accept: 'bearer' })
      const limit =
        actor.type === 'user' && actor.via === 'token'
          ? { limiter: limits.api, key: actor.tokenId }
          : { limiter: limits.anonymous, key: clientIp(request.headers) }
      copyHeaders(rateLimitHeaders(await limit.limiter.consume(limit.key)), headers)
      if (actor.type !== 'user') throw new Unauthenticated('Send a valid API token: Authorization: Bearer tf_…')
      if (op.scope) requireScope(actor, op.scope)

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
      return render(http, request, url, output, headers)
    } catch (thrown) {
      const error = toAppError(thrown)
      if (error instanceof RateLimitExceeded) copyHeaders(rateLimitHeaders(error.state), headers)
      if (!(thrown instanceof AppError)) deps.log.error('request failed', { requestId, operation: op.name, error: thrown })
      return problemResponse(error, requestId, headers)
    }
  }
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
  return new Response(JSON.stringify(body), { status: http.status, headers })
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

/** All method handlers for one path: the operations given, 405 with Allow for the rest, and OPTIONS. */
export function mountRoutes(ops: readonly Operation[], deps: RouteDeps) {
  const byMethod = new Map<string, RouteHandler>()
  for (const op of ops) if (op.http) byMethod.set(op.http.method, toRoute(op, deps))
  const allow = [...byMethod.keys(), 'OPTIONS']
  if (byMethod.has('GET')) allow.push('HEAD')
  const notAllowed: RouteHandler = async (request) => {
    const requestId = requestIdFrom(request.headers)
    return problemResponse(new MethodNotAllowed(allow), requestId, new Headers({ 'X-Request-Id': requestId }))
  }
  const handler = (method: HttpMethod) => byMethod.get(method) ?? notAllowed
  const options: RouteHandler = async (request) =>
    new Response(null, { status: 204, headers: { Allow: allow.join(', '), 'X-Request-Id': requestIdFrom(request.headers) } })
  return {
    GET: handler('GET'),
    POST: handler('POST'),
    PUT: handler('PUT'),
    PATCH: handler('PATCH'),
    DELETE: handler('DELETE'),
    OPTIONS: options,
  }
}
