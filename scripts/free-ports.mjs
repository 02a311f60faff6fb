// Ports for the servers the suites start, taken from the OS (listen on port 0, read the port, close) so that two runs
// on one machine never clash. A variable already set is an override and is kept as it is.
//   node scripts/free-ports.mjs E2E_PORT E2E_SMTP_PORT …   prints {"E2E_PORT":"41234", …} for the unset ones
import { createServer } from 'node:net'
import { pathToFileURL } from 'node:url'

/** The variables the browser suite's servers listen on: the app, the SMTP sink (SMTP and HTTP), the OIDC provider, Stripe's stand-in. */
export const E2E_PORT_VARIABLES = ['E2E_PORT', 'E2E_SMTP_PORT', 'E2E_SMTP_HTTP_PORT', 'E2E_OIDC_PORT', 'E2E_STRIPE_PORT']

/** One port nothing listens on now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** For each name in `names` that `env` leaves unset, a free port (as a string), distinct from one another. */
export async function assignPorts(names, env = process.env) {
  // All listening at once, so the OS cannot hand out one port twice.
  const servers = []
  const assigned = {}
  try {
    for (const name of names) {
      if (env[name]) continue
      const server = createServer()
      servers.push(server)
      await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
      const address = server.address()
      assigned[name] = String(typeof address === 'object' && address ? address.port : 0)
    }
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
  return assigned
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await assignPorts(process.argv.slice(2))))
}
