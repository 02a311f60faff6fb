// The database behind PgBouncer 1.18 in transaction mode (deploy/pgbouncer.ini), as the cluster runs it: the request
// pool through the pooler with DATABASE_POOL_MODE=transaction, LISTEN and migrations straight to PostgreSQL. On
// PostgreSQL runs (DATABASE_URL) only, and there it needs pgbouncer installed (apt-get install pgbouncer).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startPgBouncer } from '../../scripts/cluster'
import { freePort } from '../../scripts/free-ports.mjs'
import { type Database, openDatabase } from '../../src/server/db/client'
import * as projects from '../../src/server/services/projects'
import { AUTH_CHANGED } from '../../src/server/services/token-cache'
import * as tokens from '../../src/server/services/tokens'
import { contextFor, createUser, sessionActor } from '../support/db'
import { adminPool, isPostgresRun, postgresUrlFor } from '../support/postgres'

// A port from the OS unless PGBOUNCER_TEST_PORT fixes one: two runs on one machine must not clash.
let port = Number(process.env.PGBOUNCER_TEST_PORT ?? 0)

describe.runIf(isPostgresRun())('(PostgreSQL only) through PgBouncer in transaction mode', () => {
  const name = `twofold_pooler_${process.pid}`
  const dir = mkdtempSync(path.join(tmpdir(), 'twofold-pooler-'))
  let bouncer: { stop(): Promise<void> }
  const opened: Database[] = []
  const pooled = () => {
    const url = new URL(postgresUrlFor(name))
    url.port = String(port)
    return url.href
  }
  const open = async (poolMode: 'session' | 'transaction') => {
    const database = await openDatabase({ kind: 'postgres', url: pooled(), directUrl: postgresUrlFor(name), poolMode })
    opened.push(database)
    return database
  }

  beforeAll(async () => {
    const admin = adminPool()
    await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end())
    if (!port) port = await freePort()
    bouncer = await startPgBouncer(port, dir, undefined, process.env.DATABASE_URL)
  })
  afterAll(async () => {
    for (const database of opened) await database.close().catch(() => {})
    await bouncer?.stop()
    rmSync(dir, { recursive: true, force: true })
    const admin = adminPool()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end())
  })

  /** The hot path's prepared statements (projects' first page), from every connection of the pool at once. */
  async function listConcurrently(database: Database, times: number) {
    const userId = await createUser(database)
    await projects.create(contextFor(database, sessionActor(userId)), { name: 'Pooled' })
    return Promise.allSettled(Array.from({ length: times }, () => projects.list(contextFor(database, sessionActor(userId)), {})))
  }

  test('a fresh database migrates (its lock on the direct connection) and DATABASE_POOL_MODE=transaction serves every statement', async () => {
    const database = await open('transaction')
    const outcomes = await listConcurrently(database, 200)
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([])
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled' && outcome.value.items.length === 1)).toBe(true)
  })

  test('with named statements (session mode) the same load fails: a statement prepared on one server connection is missing on the next', async () => {
    const database = await open('session')
    const outcomes = await listConcurrently(database, 200)
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason?.cause ?? outcome.reason)] : []))
    expect(reasons.length).toBeGreaterThan(0)
    expect(reasons.some((reason) => /prepared statement "\w+" (does not exist|already exists)/.test(reason))).toBe(true)
  })

  test('a NOTIFY committed through the pooler reaches the LISTEN on the direct connection', async () => {
    const database = await open('transaction')
    const heard: string[] = []
    let live = false
    database.notifications.subscribe(AUTH_CHANGED, { message: (payload) => heard.push(payload), live: (now) => (live = now) })
    await expect.poll(() => live, { timeout: 10_000 }).toBe(true)
    const userId = await createUser(database)
    const ctx = contextFor(database, sessionActor(userId))
    const { apiToken } = await tokens.create(ctx, { name: 'revoked', scopes: ['projects:read'] })
    await tokens.revoke(ctx, { id: apiToken.id })
    await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(0)
  })
})
