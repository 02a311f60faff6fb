// E-mail in the production server: the dev mailbox does not exist there, mail without SMTP_URL stays queued, and with
// SMTP_URL the server's own worker delivers what is queued and is stopped before the database closes.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPostgresRun } from '../support/postgres'
import { type RunningServer, startServer } from '../support/server'
import { type ReceivingSmtpServer, startSmtpServer } from '../support/smtp'

describe('production without SMTP_URL', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it.each(['/dev/mailbox', `/api/dev/mailbox/${randomUUID()}`])('%s is 404', async (path) => {
    const response = await fetch(`${server.url}${path}`)
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('Dev mailbox')
  })

  it('says that mail stays queued, and starts no worker', async () => {
    await expect.poll(() => server.output(), { timeout: 30_000 }).toContain('"message":"runtime ready"')
    expect(server.output()).toContain('SMTP_URL is not set: e-mail is kept in the outbox, unsent, until it is')
    expect(server.output()).not.toContain('mail worker started')
  })
})

describe.skipIf(!isPostgresRun())('production with SMTP_URL (PostgreSQL only: the test writes to the server’s database)', () => {
  let server: RunningServer
  let smtp: ReceivingSmtpServer
  beforeAll(async () => {
    smtp = await startSmtpServer()
    server = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Twofold <no-reply@twofold.test>' } })
  })
  afterAll(async () => {
    await server?.stop('SIGKILL')
    await smtp?.stop()
  })

  it('delivers a queued message through SMTP, and stops the worker before closing the database on SIGTERM', async () => {
    await expect.poll(() => server.output(), { timeout: 30_000 }).toContain('"message":"mail worker started"')
    const client = new pg.Client({ connectionString: server.databaseUrl })
    await client.connect()
    try {
      await client.query(`insert into outbox ("to", subject, text, html) values ('ada@example.test', 'Queued', 'Hello', '<p>Hello</p>')`)
    } finally {
      await client.end()
    }

    // No nudge reaches another process: the worker's next tick (every few seconds) sends it.
    await expect.poll(() => smtp.received.map((mail) => mail.subject), { timeout: 15_000 }).toEqual(['Queued'])
    expect(smtp.received[0]?.from?.text).toBe('"Twofold" <no-reply@twofold.test>')

    expect(await server.stop('SIGTERM')).toBe(0)
    const output = server.output()
    expect(output.indexOf('"message":"mail worker stopped"')).toBeGreaterThan(-1)
    expect(output.indexOf('"message":"mail worker stopped"')).toBeLessThan(output.indexOf('"message":"database closed"'))
  })
})
