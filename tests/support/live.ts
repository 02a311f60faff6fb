// What the live-events suites and the bench need from a running server: to know it is ready, and a token in its
// PostgreSQL database (written from outside, as no public operation mints tokens).
import { randomUUID } from 'node:crypto'
import { openDatabase } from '../../src/server/db/client'
import { user } from '../../src/server/db/schema'
import * as tokens from '../../src/server/services/tokens'
import { createPersonal } from '../../src/server/services/workspaces'
import { contextFor, sessionActor } from './db'
import { makePro } from './plans'
import type { RunningServer } from './server'

export async function waitUntilReady(server: RunningServer): Promise<void> {
  const started = Date.now()
  while ((await fetch(`${server.url}/api/health/ready`).catch(() => null))?.status !== 200) {
    if (Date.now() - started > 60_000) throw new Error(`never became ready:\n${server.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** A new person with a token (projects:read and :write) for their workspace, in the PostgreSQL database at `url`. */
export async function tokenIn(url: string): Promise<string> {
  const database = await openDatabase({ kind: 'postgres', url })
  try {
    const userId = randomUUID()
    await database.db.insert(user).values({ id: userId, name: 'Streamer', email: `${userId}@example.test` })
    const { slug } = await createPersonal(database.db, { id: userId, name: 'Streamer' })
    // The suites and the bench create many projects through it: more than Free allows.
    await makePro(database, slug)
    const ctx = contextFor(database, sessionActor(userId), undefined, slug)
    return (await tokens.create(ctx, { name: 'events', scopes: ['projects:read', 'projects:write'] })).token
  } finally {
    await database.close()
  }
}

export const createProjectVia = (server: RunningServer, token: string, name: string) =>
  fetch(`${server.url}/api/v1/projects`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  })

export const openEvents = (server: RunningServer, token: string, signal: AbortSignal, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${token}`, ...headers }, signal })
