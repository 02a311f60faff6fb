// SIGTERM through real HTTP: a request still in flight completes, then the app's shutdown hook ends the database
// and the process exits 0. The in-flight request is a create whose body arrives in two halves around the signal;
// it needs an API token written into the server's database, so PostgreSQL only.

import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/server/db/client'
import { user } from '../../src/server/db/schema'
import * as tokens from '../../src/server/services/tokens'
import { createPersonal } from '../../src/server/services/workspaces'
import { contextFor, sessionActor } from '../support/db'
import { isPostgresRun } from '../support/postgres'
import { startServer } from '../support/server'

describe.skipIf(!isPostgresRun())('SIGTERM (PostgreSQL only: set DATABASE_URL=postgres://… to run)', () => {
  it('lets the request in flight finish, closes the database and exits 0', async () => {
    const server = await startServer()
    try {
      const started = Date.now()
      while ((await fetch(`${server.url}/api/health/ready`)).status !== 200) {
        if (Date.now() - started > 30_000) throw new Error('server never became ready')
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const database = await openDatabase({ kind: 'postgres', url: server.databaseUrl })
      const userId = randomUUID()
      await database.db.insert(user).values({ id: userId, name: 'Shutdown', email: `${userId}@example.test` })
      const { slug } = await createPersonal(database.db, { id: userId, name: 'Shutdown' })
      const ctx = contextFor(database, sessionActor(userId), undefined, slug)
      const { token } = await tokens.create(ctx, { name: 't', scopes: ['projects:write'] })
      await database.close()

      const body = JSON.stringify({ name: 'created during shutdown' })
      const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${server.url}/api/v1/projects`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        })
        req.on('response', (res) => {
          let text = ''
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString()
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        })
        req.on('error', reject)
        req.write(body.slice(0, 10))
        // The second half arrives after SIGTERM: the request is in flight while the server is stopping.
        setTimeout(() => req.end(body.slice(10)), 1_000)
      })
      await new Promise((resolve) => setTimeout(resolve, 300))
      const exitCode = server.stop('SIGTERM')
      const response = await answered
      expect(response.status).toBe(201)
      expect(JSON.parse(response.text)).toMatchObject({ name: 'created during shutdown' })
      expect(await exitCode).toBe(0)
      // The database is closed by the app's hook after the request finished, before the server says it stopped.
      const output = server.output()
      expect(output).toMatch(/"message":"database closed"[^\n]*\n(.*\n)*.*"message":"stopped"/)
      expect(output.indexOf('"message":"database closed"')).toBeGreaterThan(output.indexOf('"message":"shutting down"'))
    } finally {
      await server.stop('SIGKILL')
    }
  })
})
