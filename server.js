// The production server (`npm start`): Next's request handler behind our HTTP shell (http-shell.js), for what
// `next start` cannot give the app: the connection's peer address (`next start` passes a client-sent
// X-Forwarded-For through, and a route never sees the socket) and a graceful stop on SIGTERM.
import next from 'next'
import { serve } from './http-shell.js'

const app = next({ dev: false, port: Number(process.env.PORT || 3000), hostname: process.env.HOST || undefined })
await app.prepare()
const handle = app.getRequestHandler()
serve((request, response) => {
  restoreContentLength(response)
  return handle(request, response)
})

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
