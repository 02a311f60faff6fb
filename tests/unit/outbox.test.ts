// The outbox, end to end through real SMTP: what is queued arrives whole, a server that refuses or hangs costs a
// retry (never the caller's time), retries end, and two workers never send one message twice.
import { eq, sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { mailHtml, recentMail, textWithLinks } from '../../src/dev/mailbox'
import type { Database } from '../../src/server/db/client'
import { outbox } from '../../src/server/db/schema'
import { deliverDueMail, enqueueMail, RETRY_DELAYS_MS } from '../../src/server/mail/outbox'
import { devMailboxTransport, type MailMessage, smtpTransport } from '../../src/server/mail/transport'
import { captureLogger, type LogLine } from '../support/api'
import { createTestDatabase } from '../support/db'
import { freePort } from '../support/server'
import { startSilentServer, startSmtpServer } from '../support/smtp'

const FROM = 'Twofold <no-reply@twofold.test>'
// The injected clock runs ahead of the real one: messages are queued (due) at the database's real now().
const T0 = new Date(Date.now() + 60_000)
const laterBy = (ms: number) => new Date(T0.getTime() + ms)

let database: Database
const logs: LogLine[] = []
const log = captureLogger(logs)
const stops: (() => Promise<void>)[] = []

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
  await database.db.delete(outbox)
})

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    to: 'ada@example.test',
    subject: 'You are invited to Acme',
    text: 'Join Acme: http://localhost:3000/invite/abc',
    html: '<p>Join <a href="http://localhost:3000/invite/abc">Acme</a></p>',
    ...overrides,
  }
}

async function rowOf(id: string) {
  const [row] = await database.db.select().from(outbox).where(eq(outbox.id, id))
  if (!row) throw new Error(`no outbox row ${id}`)
  return row
}

async function smtpServer(port?: number) {
  const server = await startSmtpServer(port)
  stops.push(server.stop)
  return server
}

describe('outbox', () => {
  test('a message sent again after its sender lost the answer has the same Message-ID, made from its outbox row', async () => {
    const server = await smtpServer()
    const { id } = await enqueueMail(database.db, message())
    const smtp = smtpTransport(server.url, FROM)
    let answerLost = true
    // The message is handed over, but the worker never learns it was accepted (it died, the connection dropped).
    const transport = {
      kind: 'smtp' as const,
      async send(mail: MailMessage) {
        await smtp.send(mail)
        if (answerLost) {
          answerLost = false
          throw new Error('connection lost before the answer')
        }
      },
    }
    await deliverDueMail(database.db, transport, T0, { log })
    await deliverDueMail(database.db, transport, laterBy(RETRY_DELAYS_MS[0]), { log })

    expect(server.received.map((mail) => mail.messageId)).toEqual([`<${id}@twofold.test>`, `<${id}@twofold.test>`])
  })

  test('a queued message arrives through SMTP with its recipient, sender, subject, text and HTML', async () => {
    const server = await smtpServer()
    const { id } = await enqueueMail(database.db, message())
    expect(server.received).toHaveLength(0)

    const report = await deliverDueMail(database.db, smtpTransport(server.url, FROM), T0, { log })

    expect(report).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(server.received).toHaveLength(1)
    const [mail] = server.received
    expect(mail?.from?.text).toBe('"Twofold" <no-reply@twofold.test>')
    expect(mail?.to).toMatchObject({ text: 'ada@example.test' })
    expect(mail?.subject).toBe('You are invited to Acme')
    expect(mail?.text?.trim()).toBe('Join Acme: http://localhost:3000/invite/abc')
    expect(mail?.html).toBe('<p>Join <a href="http://localhost:3000/invite/abc">Acme</a></p>')
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 1, sentAt: T0, lastError: null })
  })

  test('a message is due at once on the clock delivery reads: queued and delivered in the same millisecond, it is sent', async () => {
    const server = await smtpServer()
    const now = new Date()
    await enqueueMail(database.db, message({ subject: 'Same millisecond' }), now)
    expect(await deliverDueMail(database.db, smtpTransport(server.url, FROM), now, { log })).toEqual({ sent: 1, retrying: 0, failed: 0 })
  })

  test('a message queued in a transaction that rolls back never exists', async () => {
    await database.db
      .transaction(async (tx) => {
        await enqueueMail(tx, message())
        throw new Error('the invitation could not be saved')
      })
      .catch(() => {})
    expect(await database.db.select().from(outbox)).toEqual([])
  })

  test('a message that is not one (bad address, a subject with a line break) is refused before it is queued', async () => {
    await expect(enqueueMail(database.db, message({ to: 'not an address' }))).rejects.toThrow()
    await expect(enqueueMail(database.db, message({ subject: 'Hi\r\nBcc: everyone@example.test' }))).rejects.toThrow()
    expect(await database.db.select().from(outbox)).toEqual([])
  })

  test('SMTP refusing connections: the message waits 30 s for its next attempt, and is delivered once the server is up', async () => {
    const port = await freePort()
    const transport = smtpTransport(`smtp://127.0.0.1:${port}`, FROM)
    const { id } = await enqueueMail(database.db, message())

    expect(await deliverDueMail(database.db, transport, T0, { log })).toEqual({ sent: 0, retrying: 1, failed: 0 })
    const waiting = await rowOf(id)
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: laterBy(RETRY_DELAYS_MS[0]) })
    expect(waiting.lastError).toMatch(/ECONNREFUSED|ECONNECTION/)
    expect(logs.at(-1)).toMatchObject({ level: 'warn', message: 'mail not sent: will retry', fields: { id, attempt: 1 } })

    // Not due yet: nothing is tried.
    expect(await deliverDueMail(database.db, transport, laterBy(RETRY_DELAYS_MS[0] - 1), { log })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
    })

    const server = await smtpServer(port)
    expect(await deliverDueMail(database.db, transport, laterBy(RETRY_DELAYS_MS[0]), { log })).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(server.received.map((mail) => mail.subject)).toEqual(['You are invited to Acme'])
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null })
  })

  test('the delays between attempts grow, and after the last attempt the message is failed and left alone', async () => {
    const transport = smtpTransport(`smtp://127.0.0.1:${await freePort()}`, FROM)
    const { id } = await enqueueMail(database.db, message())
    const maxAttempts = 3
    let now = T0
    const delays: number[] = []
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await deliverDueMail(database.db, transport, now, { log, maxAttempts })
      const row = await rowOf(id)
      expect(row.attempts).toBe(attempt)
      if (attempt < maxAttempts) {
        delays.push(row.nextAttemptAt.getTime() - now.getTime())
        now = row.nextAttemptAt
      }
    }
    expect(delays).toEqual([RETRY_DELAYS_MS[0], RETRY_DELAYS_MS[1]])
    expect(await rowOf(id)).toMatchObject({ status: 'failed', attempts: maxAttempts, lastError: expect.stringMatching(/ECONN/) })
    expect(logs.at(-1)).toMatchObject({ level: 'error', message: 'mail not sent: giving up' })

    await smtpServer()
    expect(await deliverDueMail(database.db, transport, laterBy(365 * 24 * 3600_000), { log, maxAttempts })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
    })
  })

  test('a server that never answers: queuing does not wait for it, and delivery gives up on it after the timeout', async () => {
    const silent = await startSilentServer()
    stops.push(silent.stop)
    const transport = smtpTransport(silent.url, FROM)

    const queuing = Date.now()
    const { id } = await enqueueMail(database.db, message())
    expect(Date.now() - queuing).toBeLessThan(1_000)

    const delivering = Date.now()
    const report = await deliverDueMail(database.db, transport, T0, { log, sendTimeoutMs: 300 })
    expect(Date.now() - delivering).toBeLessThan(3_000)
    expect(report).toEqual({ sent: 0, retrying: 1, failed: 0 })
    expect(await rowOf(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: laterBy(RETRY_DELAYS_MS[0]),
      lastError: 'no answer from the mail server within 300 ms',
    })
  })

  test('workers delivering at once send every message exactly once', async () => {
    const server = await smtpServer()
    const transport = smtpTransport(server.url, FROM)
    const subjects = Array.from({ length: 30 }, (_, i) => `Message ${i}`)
    for (const subject of subjects) await enqueueMail(database.db, message({ subject }))

    // Four rounds started together, each able to take every message: on PostgreSQL they run on four connections,
    // opened beforehand so that the rounds' claims overlap rather than queue behind connection set-up.
    await Promise.all(Array.from({ length: 4 }, () => database.db.execute(sql`select pg_sleep(0.05)`)))
    const reports = await Promise.all(Array.from({ length: 4 }, () => deliverDueMail(database.db, transport, T0, { log, batchSize: 30 })))

    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(subjects.length)
    expect(server.received.map((mail) => mail.subject).sort()).toEqual([...subjects].sort())
    const statuses = await database.db.select({ status: outbox.status, attempts: outbox.attempts }).from(outbox)
    expect(statuses).toEqual(subjects.map(() => ({ status: 'sent', attempts: 1 })))
  })

  test('a message being sent is leased: a second worker does not take it even when its lock is gone', async () => {
    const server = await smtpServer()
    const { id } = await enqueueMail(database.db, message())
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const slowTransport = { kind: 'smtp' as const, send: () => held }

    const first = deliverDueMail(database.db, slowTransport, T0, { log })
    // The first worker's claim has committed; the send is still in flight.
    await expect.poll(async () => (await rowOf(id)).attempts, { timeout: 10_000 }).toBe(1)
    expect(await deliverDueMail(database.db, smtpTransport(server.url, FROM), T0, { log })).toEqual({ sent: 0, retrying: 0, failed: 0 })
    release()
    expect(await first).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(server.received).toHaveLength(0)
  })
})

describe('dev mailbox', () => {
  test('without SMTP, delivery marks the message sent and the mailbox shows it, newest first, with its HTML', async () => {
    const first = await enqueueMail(database.db, message({ subject: 'First' }))
    // PGlite's clock can give two quick inserts the same created_at, and the mailbox orders by time.
    await new Promise((resolve) => setTimeout(resolve, 10))
    const second = await enqueueMail(database.db, message({ subject: 'Second', html: '<h1>Second</h1>' }))

    const report = await deliverDueMail(database.db, devMailboxTransport(log, 'http://localhost:3000'), T0, { log })

    expect(report).toEqual({ sent: 2, retrying: 0, failed: 0 })
    const mailbox = await recentMail(database.db)
    expect(mailbox.map((mail) => [mail.subject, mail.status])).toEqual([
      ['Second', 'sent'],
      ['First', 'sent'],
    ])
    expect(mailbox[0]?.text).toBe('Join Acme: http://localhost:3000/invite/abc')
    expect(await mailHtml(database.db, second.id)).toBe('<h1>Second</h1>')
    expect(await mailHtml(database.db, first.id)).toBe(message().html)
    expect(await mailHtml(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull()
    expect(await mailHtml(database.db, 'not-a-uuid')).toBeNull()
    expect(logs.at(-1)).toMatchObject({
      message: 'mail delivered to the dev mailbox',
      fields: { read: 'http://localhost:3000/dev/mailbox' },
    })
  })

  test('a plain-text body is cut into text and links, a link ending before the sentence’s punctuation', () => {
    expect(textWithLinks('Accept here:\nhttp://localhost:3000/invitations/abc\n\nOr open https://app.test/x?y=1. Thanks')).toEqual([
      { text: 'Accept here:\n' },
      { text: 'http://localhost:3000/invitations/abc', href: 'http://localhost:3000/invitations/abc' },
      { text: '\n\nOr open ' },
      { text: 'https://app.test/x?y=1', href: 'https://app.test/x?y=1' },
      { text: '. Thanks' },
    ])
    expect(textWithLinks('no links, javascript:alert(1) included')).toEqual([{ text: 'no links, javascript:alert(1) included' }])
  })
})
