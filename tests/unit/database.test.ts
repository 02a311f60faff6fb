// The PostgreSQL pool outlives the server ending its connections: a restart or failover costs no process. The
// readiness check knows whether every migration this build ships has been applied (PGlite and PostgreSQL).

import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { z } from 'zod'
import { type Database, migrationsCurrent, openDatabase } from '../../src/server/db/client'
import { toAppError, Unavailable } from '../../src/server/errors'
import { createTestDatabase } from '../support/db'
import { adminPool, isPostgresRun, postgresUrlFor } from '../support/postgres'

describe.skipIf(!isPostgresRun())('the PostgreSQL connection pool', () => {
  let database: Database

  beforeAll(async () => {
    database = await createTestDatabase()
  })

  afterAll(async () => {
    await database.close()
  })

  test('idle connections terminated by the server are replaced, and the process carries on', async () => {
    const pool = database.pool
    if (!pool) throw new Error('expected a node-postgres pool')
    // Fill the pool with several idle connections.
    await Promise.all(Array.from({ length: 4 }, () => pool.query('select pg_sleep(0.05)')))
    expect(pool.idleCount).toBeGreaterThan(1)

    const admin = adminPool()
    try {
      const { rows } = await pool.query<{ name: string }>('select current_database() as name')
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
        rows[0]?.name,
      ])
    } finally {
      await admin.end()
    }
    // The pool notices on its own, with no query in flight: without its error listener this throws and
    // Vitest reports an unhandled error.
    await vi.waitFor(() => expect(pool.totalCount).toBe(0), { timeout: 5_000 })

    const { rows } = await pool.query<{ one: number }>('select 1 as one')
    expect(rows).toEqual([{ one: 1 }])
  })

  test('a connection ended between two queries of a transaction fails that transaction as unavailable, and only it', async () => {
    const pool = database.pool
    if (!pool) throw new Error('expected a node-postgres pool')
    const admin = adminPool()
    try {
      const transaction = database.db.transaction(async (tx) => {
        const result = await tx.execute(sql`select pg_backend_pid() as pid`)
        const [own] = z.object({ rows: z.array(z.object({ pid: z.number() })) }).parse(result).rows
        await admin.query('select pg_terminate_backend($1)', [own?.pid])
        // The connection's 'error' arrives while the client is checked out and no query is in flight: with no
        // listener of the client's own, node-postgres throws it out of the socket's handler, past everything.
        await new Promise((resolve) => setTimeout(resolve, 300))
        await tx.execute(sql`select 1`)
      })
      const failure = await transaction.then(
        () => null,
        (error: unknown) => error,
      )
      expect(toAppError(failure)).toBeInstanceOf(Unavailable)
    } finally {
      await admin.end()
    }
    const { rows } = await pool.query<{ one: number }>('select 1 as one')
    expect(rows).toEqual([{ one: 1 }])
  })
})

describe('migrationsCurrent', () => {
  test('is true once the database is opened, and false when the latest migration is missing', async () => {
    const database = await createTestDatabase()
    try {
      expect(await migrationsCurrent(database.db)).toBe(true)
      await database.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
      )
      expect(await migrationsCurrent(database.db)).toBe(false)
    } finally {
      await database.close()
    }
  })
})

describe.skipIf(!isPostgresRun())('opening a PostgreSQL database', () => {
  test('that is migrated already does not wait for the migration lock; one that is not waits for it, then migrates', async () => {
    const name = `twofold_open_${randomUUID().replaceAll('-', '').slice(0, 12)}`
    const admin = adminPool()
    const url = postgresUrlFor(name)
    const { Client } = (await import('pg')).default
    // Advisory locks belong to a database: the other instance holds it in this one.
    const lock = new Client({ connectionString: url })
    try {
      await admin.query(`CREATE DATABASE ${name}`)
      await lock.connect()
      await (await openDatabase({ kind: 'postgres', url })).close()

      // Another instance is migrating (it holds the lock): a start that finds every migration applied goes on.
      await lock.query('select pg_advisory_lock(7310410)')
      const opened = await openDatabase({ kind: 'postgres', url })
      expect(await migrationsCurrent(opened.db)).toBe(true)
      await opened.close()

      // One migration behind: this start must wait for the other instance, then apply what is missing.
      const behind = new Client({ connectionString: url })
      await behind.connect()
      await behind.query('drop schema drizzle cascade; drop schema public cascade; create schema public')
      await behind.end()
      let done = false
      const opening = openDatabase({ kind: 'postgres', url }).then((database) => {
        done = true
        return database
      })
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(done).toBe(false)
      await lock.query('select pg_advisory_unlock(7310410)')
      const migrated = await opening
      expect(await migrationsCurrent(migrated.db)).toBe(true)
      await migrated.close()
    } finally {
      await lock.end().catch(() => {})
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })
})

describe.skipIf(!isPostgresRun())('a failed start on PostgreSQL', () => {
  test('leaves no connection behind when the migration fails after the pool connected', async () => {
    const name = `twofold_failstart_${randomUUID().replaceAll('-', '').slice(0, 12)}`
    const admin = adminPool()
    try {
      await admin.query(`CREATE DATABASE ${name}`)
      // A migrations table Drizzle cannot read: the pool connects and takes the advisory lock, then migrate() throws.
      const setup = new (await import('pg')).default.Client({ connectionString: postgresUrlFor(name) })
      await setup.connect()
      await setup.query('create schema drizzle; create table drizzle.__drizzle_migrations (unrelated text)')
      await setup.end()

      await expect(openDatabase({ kind: 'postgres', url: postgresUrlFor(name) })).rejects.toThrow()
      const connections = async () =>
        (await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])).rows[0]?.n
      await vi.waitFor(async () => expect(await connections()).toBe(0), { timeout: 5_000 })
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  })
})
