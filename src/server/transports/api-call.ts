// The API kernel: what every HTTP transport of an operation does before and after its own rendering, written once.
// apiCall matches the path, settles the caller (bearer token, or the app's session where the declaration allows it),
// charges the rate limit and adds RateLimit-* to the answer, checks the scope, builds the service context, hands it
// to a renderer (JSON, upload, download, event stream), renders any failure as problem+json, and writes one access
// line whatever the outcome. The renderers in this folder only turn a call into a response.
import { type ActorSources, resolveActor } from '../auth/actor'
import { AppError, Forbidden, NotFound, toAppError, Unauthenticated } from '../errors'
import { clientIp } from '../http/client-ip'
import { applyCorsHeaders } from '../http/cors'
import { problemResponse } from '../http/problem'
import { RateLimitExceeded, type RateLimiter, setRateLimitHeaders } from '../http/rate-limit'
import { requestIdFrom } from '../http/request-id'
import type { Logger } from '../log'
import type { Operation } from '../operations/operation'
import { type Actor, buildContext, type ContextDeps, requireScope, type ServiceContext } from '../services/context'
import type { TokenCache } from '../services/token-cache'
import type { TokenUsage } from '../services/token-usage'

/** What the API runs on, for one process (runtime/api.ts), or for a test (tests/support/api.ts). */
export type ApiRuntime = {
  context: ContextDeps
  limits: { api: RateLimiter; anonymous: RateLimiter }
  tokenCache?: TokenCache
  tokenUsage?: TokenUsage
}

export type ApiDeps = {
  runtime(): Promise<ApiRuntime>
  /**
   * Reads the app's session cookie, for the operations whose declaration accepts sessions; absent where only bearer
   * tokens are accepted (the API-only server has no sessions).
   */
  sessionUserId?(headers: Headers): Promise<{ userId: string; sessionId: string } | null>
  log: Logger
  /** How often an event stream sends its heartbeat comment (tests shorten it). */
  heartbeatMs?: number
}

export type RouteHandler = (request: Request) => Promise<Response>

/** One authorized call, handed to a renderer. */
export type ApiCall = {
  request: Request
  url: URL
  /** The path's parameters, decoded. */
  params: Record<string, string>
  ctx: ServiceContext & { actor: Extract<Actor, { type: 'user' }> }
  /** The answer's headers so far: request id, CORS, RateLimit-*. */
  headers: Headers
  requestId: string
}

/** What a caller may authenticate with, and how the app's own callers are told apart. */
export type CallOptions = {
  /** 'session' for the app's own routes (cookie only), else a bearer token, or a session where the declaration allows it. */
  accept?: 'session'
  /** The workspace a session call works in (the app's routes name it in the path). */
  workspace?: string
  /**
   * Whether a session call must come from the app's own pages: 'required' (an Origin header of ours, which browsers
   * send on every POST), 'if-sent' (no other site's Origin or Sec-Fetch-Site: the stream's rule). By default, the
   * declaration's `sessions` asks for 'if-sent'.
   */
  ownOrigin?: 'required' | 'if-sent'
  /** The access line's route name, where it is not the operation's. */
  route?: string
  /**
   * The answer for a failure, where a transport answers some differently (a form post is redirected): given the
   * public origin once the runtime is open; undefined leaves it to problem+json.
   */
  renderFailure?(error: AppError, appUrl: string): Response | undefined
}

/**
 * Compiles a path template such as /api/v1/projects/{id} once into a matcher for request paths: the parameters when
 * a path fits, null when it does not.
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

const BEARER = /^Bearer\s/i

/**
 * The caller: a bearer token; or, for the app's own routes and the operations that accept sessions, the session
 * cookie. A request with a token is a token request, whatever cookies come with it.
 */
async function callerOf(request: Request, op: Operation, deps: ApiDeps, runtime: ApiRuntime, options: CallOptions): Promise<Actor> {
  const sources: Omit<ActorSources, 'accept'> = {
    db: runtime.context.db,
    now: runtime.context.now(),
    tokenCache: runtime.tokenCache,
    tokenUsage: runtime.tokenUsage,
  }
  const sessions = options.accept === 'session' || op.http?.sessions === true
  const bySession =
    sessions && deps.sessionUserId && request.headers.has('cookie') && !BEARER.test(request.headers.get('authorization') ?? '')
  if (!bySession || !deps.sessionUserId) return resolveActor(request.headers, { ...sources, accept: 'bearer' })
  return resolveActor(request.headers, { ...sources, accept: 'session', sessionUserId: deps.sessionUserId })
}

/** A browser may act with its cookie only from our own pages, never from another site's. */
function fromOwnOrigin(headers: Headers, appUrl: string, rule: 'required' | 'if-sent'): boolean {
  const site = headers.get('sec-fetch-site')
  if (site && site !== 'same-origin') return false
  const origin = headers.get('origin')
  if (!origin) return rule === 'if-sent'
  return origin === new URL(appUrl).origin
}

/** The budget a call is charged to: the token's, the session's person's, or the client address's. */
function budgetOf(actor: Actor, request: Request, limits: ApiRuntime['limits']) {
  if (actor.type !== 'user') return { limiter: limits.anonymous, key: clientIp(request.headers) }
  return { limiter: limits.api, key: actor.via === 'token' ? actor.tokenId : `session:${actor.userId}` }
}

// Each operation's path template, compiled once rather than on every request.
const matchers = new WeakMap<Operation, (pathname: string) => Record<string, string> | null>()
function paramsOf(op: Operation, path: string, pathname: string) {
  let match = matchers.get(op)
  if (!match) {
    match = pathMatcher(path)
    matchers.set(op, match)
  }
  return match(pathname)
}

/** Serves `op` for `request` through `render`: see the file's head. */
export function apiCall(
  request: Request,
  op: Operation,
  deps: ApiDeps,
  render: (call: ApiCall) => Promise<Response>,
  options: CallOptions = {},
): Promise<Response> {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  const route = options.route ?? op.name
  return logged(request, route, deps.log, async (requestId) => {
    const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
    let appUrl: string | undefined
    try {
      const url = new URL(request.url)
      const params = options.accept === 'session' ? {} : paramsOf(op, http.path, url.pathname)
      if (!params) throw new NotFound('Resource')
      const runtime = await deps.runtime()
      appUrl = runtime.context.appUrl
      const actor = await callerOf(request, op, deps, runtime, options)
      const budget = budgetOf(actor, request, runtime.limits)
      setRateLimitHeaders(headers, await budget.limiter.consume(budget.key))
      const ownOrigin = options.ownOrigin ?? (http.sessions ? 'if-sent' : undefined)
      const foreign = ownOrigin !== undefined && !fromOwnOrigin(request.headers, appUrl, ownOrigin)
      // A route only the app's pages may post to refuses another origin whoever is calling: it says nothing of sessions.
      if (foreign && ownOrigin === 'required') throw new Forbidden('Do this from the app’s own pages.')
      if (actor.type !== 'user') {
        throw new Unauthenticated(options.accept === 'session' ? undefined : 'Send a valid API token: Authorization: Bearer tf_…')
      }
      if (foreign && actor.via === 'session') throw new Forbidden('Do this from the app’s own pages, or with an API token.')
      if (op.scope) requireScope(actor, op.scope)
      // A session names its workspace (the app's path, or ?workspace= on a stream); a token works in its own.
      const workspace = actor.via === 'session' ? (options.workspace ?? url.searchParams.get('workspace') ?? undefined) : undefined
      const ctx = { ...buildContext(actor, runtime.context, workspace), actor }
      return await render({ request, url, params, ctx, headers, requestId })
    } catch (thrown) {
      const { renderFailure } = options
      const known = appUrl
      const render = renderFailure && known !== undefined ? (error: AppError) => renderFailure(error, known) : undefined
      return failure(thrown, { requestId, route, headers, log: deps.log, render })
    }
  })
}

/**
 * A request the API refuses without running anything (an unknown path, a method the path does not serve): charged to
 * the client's address (it is not worth resolving a token to refuse it), so this answer too carries RateLimit-* and
 * cannot be sent without limit, and logged like any other.
 */
export function refuse(request: Request, route: string, error: AppError, deps: ApiDeps): Promise<Response> {
  return logged(request, route, deps.log, async (requestId) => {
    const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
    try {
      const { limits } = await deps.runtime()
      setRateLimitHeaders(headers, await limits.anonymous.consume(clientIp(request.headers)))
      throw error
    } catch (thrown) {
      return failure(thrown, { requestId, route, headers, log: deps.log })
    }
  })
}

/** The problem answer for anything thrown; only the unexpected (not an AppError) is logged, with the request id. */
export function failure(
  thrown: unknown,
  at: {
    requestId: string
    route: string
    headers: Headers
    log: Logger
    render?: (error: AppError) => Response | undefined
  },
): Response {
  const error = toAppError(thrown)
  if (error instanceof RateLimitExceeded) setRateLimitHeaders(at.headers, error.state)
  if (!(thrown instanceof AppError)) at.log.error('request failed', { requestId: at.requestId, route: at.route, error: thrown })
  return at.render?.(error) ?? problemResponse(error, at.requestId, at.headers)
}

/** Answers with `handle`, then writes the access-log line: one per API request, whatever its outcome. */
export async function logged(
  request: Request,
  route: string,
  log: Logger,
  handle: (requestId: string) => Promise<Response>,
): Promise<Response> {
  const started = performance.now()
  const requestId = requestIdFrom(request.headers)
  const response = await handle(requestId)
  const durationMs = Math.round((performance.now() - started) * 10) / 10
  log.access({ requestId, route, method: request.method, status: response.status, durationMs })
  return response
}
