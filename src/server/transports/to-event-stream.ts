// The event-stream renderer on the API kernel (api-call.ts): an operation declared with `answer: 'events'` returns a
// feed (live/event-feed.ts); once the kernel has authorized the call and the feed is open, this owns the transport:
// the SSE framing, `retry:`, a comment heartbeat, the headers that keep compression and proxies from buffering, and
// the end of the stream whichever way it comes (the client leaves, the feed ends, the server shuts down) with nothing
// left behind.
import { RateLimited } from '../errors'
import type { EventFeed, ServerEvent } from '../live/event-feed'
import { streamInterval, takeStreamPlace, trackStream } from '../live/open-streams'
import type { Operation } from '../operations/operation'
import { type ApiDeps, apiCall, type RouteHandler } from './api-call'
import { inputOf } from './request-input'

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

/**
 * An event-stream operation's route handler (`answer: 'events'`): the kernel authorizes the call; then one of the
 * account's stream places is taken, the operation opens its feed, and the answer streams until one side ends it.
 */
export function toEventStreamRoute(op: Operation, deps: ApiDeps): RouteHandler {
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS
  return (request) =>
    apiCall(request, op, deps, async (call) => {
      const input = await inputOf(op, call)
      const givePlaceBack = takeStreamPlace(call.ctx.actor.userId, MAX_STREAMS_PER_ACCOUNT)
      if (!givePlaceBack) {
        throw new RateLimited(
          STREAM_PLACE_RETRY_SECONDS,
          `This account has ${MAX_STREAMS_PER_ACCOUNT} event streams open already: close one first.`,
        )
      }
      let feed: EventFeed
      try {
        feed = (await op.run(call.ctx, input)) as EventFeed
      } catch (error) {
        givePlaceBack()
        throw error
      }
      return new Response(eventStream(request.signal, feed, heartbeatMs, givePlaceBack), {
        status: 200,
        headers: streamHeaders(call.headers),
      })
    })
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
