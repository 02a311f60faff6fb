// The in-process mail worker: delivers on its own, at once after a nudge, one round at a time, and not after stop().
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { outbox } from '../../src/server/db/schema'
import { enqueueMail } from '../../src/server/mail/outbox'
import { type MailMessage, type MailTransport, smtpTransport } from '../../src/server/mail/transport'
import { type MailWorker, startMailWorker } from '../../src/server/mail/worker'
import { captureLogger, type LogLine } from '../support/api'
import { createTestDatabase } from '../support/db'
import { startSmtpServer } from '../support/smtp'

let database: Database
const logs: LogLine[] = []
const log = captureLogger(logs)
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
  await database.db.delete(outbox)
})

const message = (subject: string): MailMessage => ({ to: 'ada@example.test', subject, text: subject, html: `<p>${subject}</p>` })

function worker(transport: MailTransport, intervalMs: number): MailWorker {
  const started = startMailWorker({ db: database.db, transport, log, intervalMs })
  cleanups.push(started.stop)
  return started
}

/** A transport that holds every send until released, and counts how many were ever in flight at once. */
function heldTransport() {
  const sent: string[] = []
  let inFlight = 0
  let mostInFlight = 0
  let release = () => {}
  let gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const transport: MailTransport = {
    kind: 'smtp',
    async send(mail) {
      inFlight++
      mostInFlight = Math.max(mostInFlight, inFlight)
      await gate
      inFlight--
      sent.push(mail.subject)
    },
  }
  return {
    transport,
    sent,
    mostInFlight: () => mostInFlight,
    release() {
      release()
      gate = Promise.resolve()
    },
  }
}

describe('mail worker', () => {
  test('a nudge sends queued mail at once, without waiting for the next tick', async () => {
    const server = await startSmtpServer()
    cleanups.push(server.stop)
    const mailer = worker(smtpTransport(server.url, 'Twofold <no-reply@twofold.test>'), 60_000)
    // The round at start finds nothing; the message is queued after it, with the next tick a minute away.
    await new Promise((resolve) => setTimeout(resolve, 200))

    await enqueueMail(database.db, message('Invitation'))
    mailer.nudge()

    await expect.poll(() => server.received.map((mail) => mail.subject), { timeout: 10_000 }).toEqual(['Invitation'])
  })

  test('without a nudge, mail is sent on the next tick', async () => {
    const held = heldTransport()
    held.release()
    await enqueueMail(database.db, message('Queued before start'))
    worker(held.transport, 100)
    await enqueueMail(database.db, message('Queued later'))

    await expect.poll(() => held.sent.sort(), { timeout: 10_000 }).toEqual(['Queued before start', 'Queued later'])
  })

  test('nudges during a round never start a second round alongside it; they ask for one more after it', async () => {
    const held = heldTransport()
    await enqueueMail(database.db, message('First'))
    const mailer = worker(held.transport, 60_000)
    await expect.poll(() => held.mostInFlight(), { timeout: 10_000 }).toBe(1)

    await enqueueMail(database.db, message('Second'))
    mailer.nudge()
    mailer.nudge()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(held.mostInFlight()).toBe(1)

    held.release()
    await expect.poll(() => held.sent, { timeout: 10_000 }).toEqual(['First', 'Second'])
    expect(held.mostInFlight()).toBe(1)
  })

  test('stop() waits for the round in progress, and nothing is sent after it', async () => {
    const held = heldTransport()
    await enqueueMail(database.db, message('In flight'))
    const mailer = worker(held.transport, 50)
    await expect.poll(() => held.mostInFlight(), { timeout: 10_000 }).toBe(1)

    let stopped = false
    const stopping = mailer.stop().then(() => {
      stopped = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(stopped).toBe(false)
    held.release()
    await stopping
    expect(held.sent).toEqual(['In flight'])

    await enqueueMail(database.db, message('After stop'))
    mailer.nudge()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(held.sent).toEqual(['In flight'])
  })
})
