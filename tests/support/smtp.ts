// Real SMTP servers in-process, for the mail tests: one that receives and parses every message (smtp-server and
// mailparser, the same protocol a provider speaks), and one that accepts connections and never says a word.
import { createServer, type Socket } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { freePort } from './server'

export type ReceivingSmtpServer = {
  /** smtp://127.0.0.1:<port> */
  url: string
  received: ParsedMail[]
  stop(): Promise<void>
}

/** An SMTP server on `port` (a free one by default) that keeps every message it is given, parsed. */
export async function startSmtpServer(port?: number): Promise<ReceivingSmtpServer> {
  const received: ParsedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to make, and nodemailer does not upgrade what is not offered.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail)
          callback()
        },
        (error: Error) => callback(error),
      )
    },
  })
  const listenOn = port ?? (await freePort())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listenOn, '127.0.0.1', () => resolve())
  })
  return {
    url: `smtp://127.0.0.1:${listenOn}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A server that accepts TCP connections and never sends the SMTP greeting: a hung mail provider. */
export async function startSilentServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
