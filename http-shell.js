// The Node HTTP server both production entries run behind (server.js: the whole app through Next; api-server.js:
// the public API alone). It does what neither Next nor a fetch handler can: it records each connection's peer
// address in a header no client can set, answers methods no route serves, and on SIGTERM stops accepting, lets
// in-flight requests finish, ends the app's long-lived work and exits 0.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'

/** Overwritten on every request, so its value is always the socket's; read by src/server/http/client-ip.ts. */
const PEER_HEADER = 'x-twofold-peer-address'
/** Set by the app (src/server/runtime.ts): `{ endStreams(): void, close(): Promise<void> }`. */
const SHUTDOWN = Symbol.for('twofold.shutdown')
/** Set here on SIGTERM; the readiness check (src/server/http/health.ts) answers 503 from then on. */
const DRAINING = Symbol.for('twofold.draining')
// Methods no route answers. Node's parser accepts TRACE; without this, Next answers it with a 500.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

export function line(level, message, fields = {}) {
  const text = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })
  if (level === 'info') console.log(text)
  else console.error(text)
}

/**
 * A problem+json answer in the shape of the app's own (src/server/http/problem.ts), for what the shell refuses itself.
 * Returns the request id it carries, for a log line to name.
 */
export function sendProblem(res, status, code, title, detail, headers = {}) {
  const requestId = randomUUID()
  const type = `https://twofold.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', 'X-Request-Id': requestId, ...headers })
  res.end(JSON.stringify({ type, title, status, detail, code, requestId }))
  return requestId
}

function methodNotAllowed(res) {
  const allow = [...METHODS].join(', ')
  sendProblem(res, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed', `Use one of: ${allow}.`, { Allow: allow })
}

/** Serves `handle(req, res)` on PORT/HOST (default 3000), with the peer header, the method check and a graceful stop. */
export function serve(handle) {
  const port = Number(process.env.PORT || 3000)
  const host = process.env.HOST || undefined
  const graceMs = Number(process.env.SHUTDOWN_GRACE_MS || 30_000)
  // Behind a load balancer: how long to keep serving after SIGTERM with readiness at 503, so the balancer's health
  // check takes the instance out before it stops listening (its check interval × failures to mark down, and more).
  const drainMs = Number(process.env.SHUTDOWN_DRAIN_MS || 0)

  const server = createServer((req, res) => {
    if (!METHODS.has(req.method ?? '')) return methodNotAllowed(res)
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? ''
    handle(req, res)
  })
  server.listen(port, host, () => line('info', 'listening', { url: `http://${host ?? 'localhost'}:${port}`, pid: process.pid }))

  let stopping = false
  async function shutdown(signal) {
    if (stopping) return
    stopping = true
    globalThis[DRAINING] = true
    if (drainMs > 0) {
      line('info', 'draining: readiness answers 503 until the load balancer stops sending', { signal, drainMs })
      await new Promise((resolve) => setTimeout(resolve, drainMs))
    }
    line('info', 'shutting down', { signal })
    // A request still running after the grace period is cut off, rather than holding the deployment forever.
    const deadline = setTimeout(() => {
      line('warn', 'shutdown grace period over: closing remaining connections', { graceMs })
      server.closeAllConnections()
    }, graceMs)
    deadline.unref()
    const closed = new Promise((resolve) => server.close(resolve))
    // Idle keep-alive connections would otherwise keep close() waiting until they time out: those idle now, and those
    // that a request in flight, or an event stream ended below, leaves idle later (a balancer keeps them open).
    server.closeIdleConnections()
    const sweep = setInterval(() => server.closeIdleConnections(), 250)
    sweep.unref()
    const hooks = globalThis[SHUTDOWN] ?? {}
    // Event streams never end by themselves: the app ends them now, and closes the pool once requests have drained.
    hooks.endStreams?.()
    await closed
    clearInterval(sweep)
    try {
      await hooks.close?.()
    } catch (error) {
      line('error', 'shutdown failed', { error: String(error) })
      process.exit(1)
    }
    line('info', 'stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  return server
}
