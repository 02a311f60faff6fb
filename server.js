// The production server (`npm start`): Next's request handler behind our HTTP shell (http-shell.js), for what
// `next start` cannot give the app: the connection's peer address (`next start` passes a client-sent
// X-Forwarded-For through, and a route never sees the socket) and a graceful stop on SIGTERM.
import next from 'next'
import { serve } from './http-shell.js'

const app = next({ dev: false, port: Number(process.env.PORT || 3000), hostname: process.env.HOST || undefined })
await app.prepare()
serve(app.getRequestHandler())
