// An SMTP sink that is a slow provider: each message is answered `acceptDelayMs` after its data arrives, so a worker's
// batch stays in flight long enough to be killed in the middle of it. It keeps every message it accepted, with its
// Message-ID: a sender that dies after handing a message over but before hearing the 250 cannot know it was taken,
// and sends it again (SMTP is at least once); the copy is recognisable by its Message-ID.
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export type AcceptedMail = { subject: string; messageId: string }
export type SlowSink = { url: string; accepted: AcceptedMail[]; stop(): Promise<void> }

export async function startSlowSink(port: number, acceptDelayMs: number): Promise<SlowSink> {
  const accepted: AcceptedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) =>
          setTimeout(() => {
            accepted.push({ subject: mail.subject ?? '', messageId: mail.messageId ?? '' })
            callback()
          }, acceptDelayMs),
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return { url: `smtp://127.0.0.1:${port}`, accepted, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
