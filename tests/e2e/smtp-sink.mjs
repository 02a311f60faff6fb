// The browser suite's mail provider: a real SMTP server (smtp-server, plain SMTP on loopback, no auth) that keeps
// every message it accepts, parsed by mailparser, and a tiny HTTP endpoint the specs read them from:
//   GET /messages?to=<address>  → [{ to, subject, text, html }] (oldest first; every message without `to`)
//   GET /health                 → 200 once both servers listen (Playwright's readiness URL)
// Ports: E2E_SMTP_PORT (default 3125) for SMTP, E2E_SMTP_HTTP_PORT (default SMTP + 1) for HTTP.
import { createServer } from 'node:http'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125)
const httpPort = Number(process.env.E2E_SMTP_HTTP_PORT ?? smtpPort + 1)

/** @type {{ to: string[]; subject: string; text: string; html: string }[]} */
const messages = []

const smtp = new SMTPServer({
  authOptional: true,
  // Plain SMTP on loopback: no certificate to make, and nodemailer does not upgrade what is not offered.
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream).then(
      (mail) => {
        // The envelope is who the message was delivered to; the To header is what it says.
        const envelope = session.envelope.rcptTo.map((r) => r.address.toLowerCase())
        const headers = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()))
        messages.push({
          to: [...new Set([...envelope, ...headers])],
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          html: typeof mail.html === 'string' ? mail.html : '',
        })
        callback()
      },
      (error) => callback(error),
    )
  },
})

const http = createServer((request, response) => {
  const url = new URL(request.url ?? '/', `http://127.0.0.1:${httpPort}`)
  if (request.method === 'GET' && url.pathname === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    return
  }
  if (request.method === 'GET' && url.pathname === '/messages') {
    const to = url.searchParams.get('to')?.toLowerCase()
    const found = to ? messages.filter((m) => m.to.includes(to)) : messages
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found))
    return
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
})

await new Promise((resolve, reject) => {
  smtp.once('error', reject)
  smtp.listen(smtpPort, '127.0.0.1', () => resolve(undefined))
})
await new Promise((resolve, reject) => {
  http.once('error', reject)
  http.listen(httpPort, '127.0.0.1', () => resolve(undefined))
})
console.log(`smtp sink: SMTP on 127.0.0.1:${smtpPort}, messages at http://127.0.0.1:${httpPort}/messages`)

const stop = () => {
  http.close()
  smtp.close(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
