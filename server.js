// The production server (`npm start`): Next's request handler behind our HTTP shell (http-shell.js), for what
// `next start` cannot give the app: the connection's peer address (`next start` passes a client-sent
// X-Forwarded-For through, and a route never sees the socket), a graceful stop on SIGTERM, a 503 for a page
// rendered during a database outage, and a 403 or 422 for server-action requests Next would answer with a 500
// (server-action-gate.js).
//
// `npm start` runs it with --max-semi-space-size=16: Node 24's V8 lets the young generation grow to two 64 MB
// semi-spaces under load, and the app's RSS under the list load went with it (279 MB peak against 149 MB idle);
// capped at 16 MB the peak was 211 MB, for scavenges within the noise of a loaded host's CPU per request.
import { AsyncLocalStorage } from 'node:async_hooks'
import { readFileSync } from 'node:fs'
import module from 'node:module'
import path from 'node:path'
import { Duplex } from 'node:stream'

// Node 22.1+ keeps V8's compiled code of the modules loaded from here on in a cache on disk, as api-server.js
// does (see there): ~0.1 s of the app's ~1 s to ready. The imports are dynamic so that they come after it.
module.enableCompileCache?.()
const { default: compression } = await import('compression')
const { default: next } = await import('next')
const { serve } = await import('./http-shell.js')
const { allowedActionOrigins, refuseBadActionRequest } = await import('./server-action-gate.js')

/** Read by src/server/http/page-status.ts: each request's `{ retryAfterSeconds }`, set by a page that cannot render. */
const PAGE_STATUS = Symbol.for('twofold.page-status')
const pageStatus = new AsyncLocalStorage()
globalThis[PAGE_STATUS] = pageStatus

const app = next({ dev: false, port: Number(process.env.PORT || 3000), hostname: process.env.HOST || undefined })
await app.prepare()
const handle = app.getRequestHandler()
const allowedOrigins = allowedActionOrigins()
const compress = compressionUnlessNextDoes()
serve(async (request, response) => {
  if (await refuseBadActionRequest(request, response, allowedOrigins)) return
  restoreContentLength(response)
  const status = { retryAfterSeconds: null }
  answerUnavailablePages(response, status)
  // Last, as Next's own was: its header hook runs first, so the two above see the encoding it chose.
  compress?.(request, response)
  return pageStatus.run(status, () => handle(request, response))
})

/**
 * Next gives a page no way to choose its status (only notFound and redirect), so the "temporarily unavailable" page
 * would go out as 200: cached, indexed and counted as a success by a load balancer. The page marks its request while
 * it renders, which is before the status line is written (no Suspense boundary sits above it, so nothing is flushed
 * until the whole page has rendered); here, as the status line goes out, its 200 becomes 503 with Retry-After.
 */
function answerUnavailablePages(response, status) {
  const writeHead = response.writeHead
  response.writeHead = function (...args) {
    const code = typeof args[0] === 'number' ? args[0] : this.statusCode
    if (status.retryAfterSeconds !== null && code === 200) {
      args[0] = 503
      if (typeof args[1] === 'string') args[1] = 'Service Unavailable'
      this.setHeader('retry-after', String(status.retryAfterSeconds))
    }
    return writeHead.apply(this, args)
  }
}

/**
 * Next drops Content-Length from every route handler's answer (send-response.js, FORBIDDEN_HEADERS), so a download
 * would go out chunked, with no length for a progress bar or a resumed transfer. A route that knows its length
 * also sends it as X-Content-Length (http/download.ts); here, as the headers go out, it becomes Content-Length again
 * — unless something on the way (compression) has changed the body's framing.
 */
function restoreContentLength(response) {
  const writeHead = response.writeHead
  response.writeHead = function (...args) {
    const length = this.getHeader('x-content-length')
    if (length !== undefined) {
      this.removeHeader('x-content-length')
      if (!this.hasHeader('content-encoding') && !this.hasHeader('transfer-encoding')) this.setHeader('content-length', length)
    }
    return writeHead.apply(this, args)
  }
}

/**
 * Next compresses through its own copy of the `compression` middleware, which takes over every response's write, end
 * and header hooks, and negotiates, even for a client that accepts no encoding at all (most API clients, a load
 * balancer's checks): ~0.045 ms of CPU a request in a profile of the project list, for nothing. The app turns Next's
 * off (next.config.ts, `compress: false`) and the same middleware (the `compression` package, not Next's internal
 * copy) runs here, only for a request that accepts an encoding; the others still say `Vary: Accept-Encoding`, so a
 * cache keeps the two answers apart as before. A build that leaves Next's on (the no-op bench app) is left to Next,
 * so nothing is compressed twice.
 */
function compressionUnlessNextDoes(dir = process.cwd()) {
  const manifest = JSON.parse(readFileSync(path.join(dir, '.next', 'required-server-files.json'), 'utf8'))
  if (manifest.config?.compress !== false) return null
  const middleware = compression()
  return (request, response) => {
    const accepted = request.headers['accept-encoding']
    if (!accepted || accepted === 'identity') return varyOnEncoding(response)
    middleware(request, response, () => {})
    // As Next does (router-server.js): a client gone before the end would leave the zlib stream unfinished, past GC.
    response.once('close', () => {
      if (!response.writableFinished) releaseZlibStream(response)
    })
  }
}

/**
 * The middleware keeps its zlib stream private; its `on` forwards 'drain' listeners to that stream and returns it,
 * which is the one way to reach it (Next does the same). Anything else (no middleware on this response) is left be.
 */
function releaseZlibStream(response) {
  const noop = () => {}
  const stream = response.on('drain', noop)
  if (stream === response || !(stream instanceof Duplex)) {
    response.off('drain', noop)
    return
  }
  stream.destroy()
}

/** Adds Accept-Encoding to the Vary the response goes out with, as the header goes out (Next sets its own Vary late). */
function varyOnEncoding(response) {
  const writeHead = response.writeHead
  response.writeHead = function (...args) {
    const vary = this.getHeader('vary')
    this.setHeader('vary', vary === undefined ? 'Accept-Encoding' : `${[vary].flat().join(', ')}, Accept-Encoding`)
    return writeHead.apply(this, args)
  }
}
