// The operation layer's streaming shape: an operation that answers with Server-Sent Events. Declared once like any
// other (input, scope, role, path), it gets the same actor resolution, rate limits and problem+json errors as
// toRoute before the stream starts; once it has started, the layer owns the transport: the SSE framing, `retry:`,
// a comment heartbeat, the headers that keep compression and proxies from buffering, and the end of the stream
// whichever way it comes (the client leaves, the feed ends, the server shuts down) with nothing left behind.
import type { z } from 'zod'
import { resolveActor } from '../auth/actor'
import type { Db } from '../db/client'
import type { Notifications } from '../db/notifications'
import { Forbidden, RateLimited, toAppError, Unauthenticated } from '../errors'
import { clientIp } from '../http/client-ip'
import { applyCorsHeaders, preflightHeaders } from '../http/cors'
import { problemResponse } from '../http/problem'
import { RateLimitExceeded, type RateLimiter, rateLimitHeaders } from '../http/rate-limit'
import { requestIdFrom } from '../http/request-id'
import { streamInterval, takeStreamPlace, trackStream } from '../live/open-streams'
import type { Logger } from '../log'
import { type Actor, type Role, requireScope, type Scope, type ServiceContext } from '../services/context'
import { parseInput } from '../services/parse'
import type { TokenCache } from '../services/token-cache'
import type { TokenUsage } from '../services/token-usage'
import type { RouteHandler } from './to-route'

export type ServerEvent = { id?: string; event?: string; data: string }

export type EventSink = {
  send(event: ServerEvent): void
  /** Ends the stream (the client will reconnect, with Last-Event-ID, after `retry`). */
  end(): void
}

/** What an operation's `open` returns: started once the response is under way, stopped exactly once. */
export type EventFeed = {
  start(sink: EventSink): void
  /** Each heartbeat: a chance to check the caller again and end the sink. */
  heartbeat?(): void
  stop(): void
}

export type StreamContext = {
  /** The Last-Event-ID request header, as sent (EventSource sends it on every reconnect). */
  lastEventId: string | null
  notifications: Notifications
}

export type StreamOperation<I extends z.ZodType = z.ZodType> = {
  name: string
  summary: string
  /** Said in the OpenAPI document: what the events are. */
  description: string
  tag: string
  input: I
  /** The shape of each event's data (JSON), for the OpenAPI document. */
  eventData: z.ZodType
  scope: Scope
  role: Role
  http: { method: 'GET'; path: string }
  /**
   * Also accept the app's session cookie (for the dashboard), from the app's own origin only; the workspace is then
   * named by `?workspace=slug` and checked by membership like any other session call.
   */
  sessions: boolean
  open(ctx: ServiceContext, input: z.output<I>, stream: StreamContext): Promise<EventFeed>
}

export function streamOperation<I extends z.ZodType>(def: StreamOperation<I>): StreamOperation<I> {
  return def
}

export type StreamRouteDeps = {
  runtime(): Promise<{
    db: Db
    notifications: Notifications
    limits: { api: RateLimiter; anonymous: RateLimiter }
    appUrl?: string
    tokenCache?: TokenCache
    tokenUsage?: TokenUsage
  }>
  /** Reads the session cookie; absent where only bearer tokens are accepted (the API-only server). */
  sessionUserId?(headers: Headers): Promise<{ userId: string; sessionId: string } | null>
  now(): Date
  log: Logger
  heartbeatMs?: number
}

/** How long a client waits before reconnecting after the stream ends (sent as `retry:`). */
export const RETRY_MS = 3_000
/** A comment this often keeps proxies and load balancers from closing an idle stream (most give up after 60 s). */
export const HEARTBEAT_MS = 15_000
// A client that stops reading is not buffered for without limit: past this many queued chunks its stream ends, and
// it resumes from its Last-Event-ID when it reads again.
const MAX_QUEUED_CHUNKS = 1_000
/** Streams one account may hold open at once on one instance: every tab and device it uses, and then some. */
export const MAX_STREAMS_PER_ACCOUNT = 20
/** Retry-After for a refused stream: a place frees when one of the account's streams ends, which the client cannot see. */
const STREAM_PLACE_RETRY_SECONDS = 30

const encoder = new TextEncoder()

/** One event in SSE framing: each line of the data on its own `data:` line. */
export function frameEvent(event: ServerEvent): string {
  const lines = [event.id !== undefined ? `id: ${event.id}` : '', event.event ? `event: ${event.event}` : '']
  for (const line of event.data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`)
  return `${lines.filter(Boolean).join('\n')}\n\n`
}

/** A browser may open the stream with its cookie only from our own pages: not from another site's. */
function fromOwnOrigin(headers: Headers, appUrl: string | undefined, requestUrl: URL): boolean {
  const site = headers.get('sec-fetch-site')
  if (site && site !== 'same-origin') return false
  const origin = headers.get('origin')
  return !origin || origin === new URL(appUrl ?? requestUrl.origin).origin
}

const BEARER = /^Bearer\s/i

async function streamActor(
  request: Request,
  url: URL,
  deps: StreamRouteDeps,
  op: StreamOperation,
  runtime: Awaited<ReturnType<StreamRouteDeps['runtime']>>,
): Promise<Actor> {
  const sources = { db: runtime.db, now: deps.now(), tokenCache: runtime.tokenCache, tokenUsage: runtime.tokenUsage }
  // A request with a token is a token request, whatever cookies come with it.
  const cookie = request.headers.get('cookie')
  if (BEARER.test(request.headers.get('authorization') ?? '') || !cookie || !op.sessions || !deps.sessionUserId) {
    return resolveActor(request.headers, { ...sources, accept: 'bearer' })
  }
  const actor = await resolveActor(request.headers, { ...sources, accept: 'session', sessionUserId: deps.sessionUserId })
  if (actor.type === 'user' && !fromOwnOrigin(request.headers, runtime.appUrl, url)) {
    throw new Forbidden('Open this stream from the app’s own pages, or with an API token.')
  }
  return actor
}

export function toStreamRoute<I extends z.ZodType>(op: StreamOperation<I>, deps: StreamRouteDeps): RouteHandler {
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS
  return async (request) => {
    const requestId = requestIdFrom(request.headers)
    const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
    let feed: EventFeed
    let place = () => {}
    try {
      const url = new URL(request.url)
      const runtime = await deps.runtime()
      const actor = await streamActor(request, url, deps, op, runtime)
      const limit =
        actor.type !== 'user'
          ? { limiter: runtime.limits.anonymous, key: clientIp(request.headers) }
          : { limiter: runtime.limits.api, key: actor.via === 'token' ? actor.tokenId : `session:${actor.userId}` }
      for (const [key, value] of rateLimitHeaders(await limit.limiter.consume(limit.key))) headers.set(key, value)
      if (actor.type !== 'user') throw new Unauthenticated('Send a valid API token: Authorization: Bearer tf_…')
      requireScope(actor, op.scope)
      const { workspace, ...query } = Object.fromEntries(url.searchParams)
      const input = parseInput(op.input, query)
      const ctx: ServiceContext = { db: runtime.db, actor, now: deps.now, workspace: actor.via === 'session' ? workspace : undefined }
      const taken = takeStreamPlace(actor.userId, MAX_STREAMS_PER_ACCOUNT)
      if (!taken) {
        throw new RateLimited(
          STREAM_PLACE_RETRY_SECONDS,
          `This account has ${MAX_STREAMS_PER_ACCOUNT} event streams open already: close one first.`,
        )
      }
      place = taken
      feed = await op.open(ctx, input, { lastEventId: request.headers.get('last-event-id'), notifications: runtime.notifications })
    } catch (thrown) {
      place()
      const error = toAppError(thrown)
      if (error instanceof RateLimitExceeded) for (const [key, value] of rateLimitHeaders(error.state)) headers.set(key, value)
      if (error.code === 'INTERNAL') deps.log.error('request failed', { requestId, route: op.name, error: thrown })
      const response = problemResponse(error, requestId, headers)
      deps.log.info('request', { requestId, route: op.name, method: request.method, status: response.status })
      return response
    }
    deps.log.info('request', { requestId, route: op.name, method: request.method, status: 200, stream: 'opened' })
    return new Response(eventStream(request.signal, feed, heartbeatMs, place), { status: 200, headers: streamHeaders(headers) })
  }
}

function streamHeaders(headers: Headers): Headers {
  headers.set('Content-Type', 'text/event-stream; charset=utf-8')
  // no-transform: `next start` compresses responses, and its compression buffers an event stream without it.
  headers.set('Cache-Control', 'no-cache, no-transform')
  // nginx (and proxies that follow it) buffer responses unless told not to.
  headers.set('X-Accel-Buffering', 'no')
  headers.set('Vary', 'Authorization, Cookie')
  return headers
}

/** The response body: `retry:`, the feed's events and a heartbeat, until one side ends it; then everything is let go. */
function eventStream(signal: AbortSignal, feed: EventFeed, heartbeatMs: number, givePlaceBack: () => void): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null
  let finished = false
  let stopHeartbeat = () => {}
  let untrack = () => {}
  const finish = () => {
    if (finished) return
    finished = true
    stopHeartbeat()
    untrack()
    givePlaceBack()
    signal.removeEventListener('abort', finish)
    feed.stop()
    try {
      controller?.close()
    } catch {
      // Already closed or errored by the consumer: nothing left to end.
    }
  }
  const write = (text: string) => {
    if (finished || !controller) return
    if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) return finish()
    controller.enqueue(encoder.encode(text))
  }
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
      if (signal.aborted) return finish()
      signal.addEventListener('abort', finish, { once: true })
      untrack = trackStream({ end: finish })
      stopHeartbeat = streamInterval(() => {
        write(': heartbeat\n\n')
        feed.heartbeat?.()
      }, heartbeatMs)
      write(`retry: ${RETRY_MS}\n\n`)
      feed.start({ send: (event) => write(frameEvent(event)), end: finish })
    },
    cancel: finish,
  })
}

/** GET (the stream) and OPTIONS (the CORS preflight) for one stream operation's path. */
export function mountStream(op: StreamOperation, deps: StreamRouteDeps) {
  const options: RouteHandler = async (request) => {
    const headers = preflightHeaders(['GET', 'HEAD', 'OPTIONS'])
    headers.set('Allow', 'GET, HEAD, OPTIONS')
    headers.set('X-Request-Id', requestIdFrom(request.headers))
    return new Response(null, { status: 204, headers })
  }
  return { GET: toStreamRoute(op, deps), OPTIONS: options }
}
