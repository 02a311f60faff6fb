// The production server (`npm start`): Next's request handler behind our HTTP shell (http-shell.js), for what
// `next start` cannot give the app: the connection's peer address (`next start` passes a client-sent
// X-Forwarded-For through, and a route never sees the socket), a graceful stop on SIGTERM, a 503 for a page
// rendered during a database outage, and a 403 or 422 for server-action requests Next would answer with a 500
// (server-action-gate.js).
import { AsyncLocalStorage } from 'node:async_hooks'
import next from 'next'
import { serve } from './http-shell.js'
import { allowedActionOrigins, refuseBadActionRequest } from './server-action-gate.js'

/** Read by src/server/http/page-status.ts: each request's `{ retryAfterSeconds }`, set by a page that cannot render. */
const PAGE_STATUS = Symbol.for('twofold.page-status')
const pageStatus = new AsyncLocalStorage()
globalThis[PAGE_STATUS] = pageStatus

const app = next({ dev: false, port: Number(process.env.PORT || 3000), hostname: process.env.HOST || undefined })
await app.prepare()
const handle = app.getRequestHandler()
const allowedOrigins = allowedActionOrigins()
serve(async (request, response) => {
  if (await refuseBadActionRequest(request, response, allowedOrigins)) return
  restoreContentLength(response)
  const status = { retryAfterSeconds: null }
  answerUnavailablePages(response, status)
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
