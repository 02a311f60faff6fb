// Health through real HTTP: liveness never touches the database, readiness says whether the database answers with
// every migration applied, and neither may be cached. A bad configuration stops the server at start, non-zero.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase } from '../../src/server/db/client'
import { isPostgresRun } from '../support/postgres'
import { expectProblem } from '../support/problem'
import { type RunningServer, startServer } from '../support/server'

let server: RunningServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.stop()
})

async function readyWithin(timeoutMs: number): Promise<Response> {
  const started = Date.now()
  for (;;) {
    const response = await fetch(`${server.url}/api/health/ready`)
    if (response.status === 200 || Date.now() - started > timeoutMs) return response
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('GET /api/health', () => {
  it('is 200 { status: ok }, not cacheable', async () => {
    const response = await fetch(`${server.url}/api/health`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ status: 'ok' })
  })
})

describe('GET /api/health/ready', () => {
  it('is 200 { status: ready } once the database is open and migrated, not cacheable', async () => {
    const response = await readyWithin(30_000)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it.skipIf(!isPostgresRun())('is 503 problem+json with Retry-After when a migration is missing (PostgreSQL only)', async () => {
    await readyWithin(30_000)
    const database = await openDatabase({ kind: 'postgres', url: server.databaseUrl })
    try {
      await database.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
      )
      const response = await fetch(`${server.url}/api/health/ready`)
      expect(response.headers.get('retry-after')).toBe('5')
      expect(response.headers.get('cache-control')).toBe('no-store, no-transform')
      await expectProblem(response, 'UNAVAILABLE', 'The service is briefly unavailable. Try again shortly.')
      // Log lines are written in a batch at the end of the event-loop turn, which may come after the answer.
      await vi.waitFor(() => expect(server.output()).toContain('not ready: the database lacks migrations this build ships'))
    } finally {
      await database.close()
    }
  })
})

describe('a bad configuration', () => {
  it('stops the server at start with a non-zero exit code and says what is wrong', async () => {
    const misconfigured = await startServer({ env: { BETTER_AUTH_SECRET: undefined }, waitUntilListening: false })
    const timeout = setTimeout(() => void misconfigured.stop('SIGKILL'), 30_000)
    const code = await misconfigured.exited
    clearTimeout(timeout)
    expect(code).toBe(1)
    expect(misconfigured.output()).toContain('BETTER_AUTH_SECRET: required in production')
  })
})
