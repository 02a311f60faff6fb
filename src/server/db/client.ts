// Opens the database the configuration names (embedded PGlite or PostgreSQL) and brings it to the latest migration.
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Config, PostgresTarget } from '../config'
import { log } from '../log'
import { type Notifications, pgliteNotifications, postgresNotifications } from './notifications'
import { sendStatementsUnnamed } from './prepared'
import { schema } from './schema'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

export type Database = {
  db: Db
  kind: 'pglite' | 'postgres'
  /** The node-postgres pool, for libraries that take one (the rate limiter); absent on PGlite. */
  pool?: import('pg').Pool
  /** LISTEN/NOTIFY: one listening connection for the process, opened on the first subscription. */
  notifications: Notifications
  close(): Promise<void>
}

// Resolved from the working directory, not from this file: Next bundles this module, the SQL files stay on disk.
export const migrationsFolder = path.join(process.cwd(), 'src/server/db/migrations')

export async function openDatabase(target: Config['database']): Promise<Database> {
  return target.kind === 'pglite' ? openPglite(target.dataDir) : openPostgres(target)
}

/**
 * An in-memory PGlite started from a dump of another's data directory (PGlite's dumpDataDir), then migrated as
 * usual. The test suites start each file's database from one migrated dump: PGlite's own start (initdb, in
 * WebAssembly) costs seconds, loading a dump a fraction of that.
 */
export function openPgliteFromDump(dump: Blob): Promise<Database> {
  return openPglite(null, dump)
}

async function openPglite(dataDir: string | null, dump?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const client = dataDir ? new PGlite(dataDir) : new PGlite(dump ? { loadDataDir: dump } : undefined)
  const db = drizzle(client, { schema })
  try {
    await migrate(db, { migrationsFolder })
  } catch (error) {
    await client.close().catch(() => {})
    throw error
  }
  const notifications = pgliteNotifications(client)
  return {
    db,
    kind: 'pglite',
    notifications,
    close: async () => {
      await notifications.close()
      await client.close()
    },
  }
}

async function openPostgres({ url, directUrl = url, poolMode = 'session' }: PostgresTarget): Promise<Database> {
  const { Client, Pool } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 })
  if (poolMode === 'transaction') pool.on('connect', sendStatementsUnnamed)
  // A connection the server ends (restart, failover, an administrator) emits 'error' on its client. The pool
  // listens only while the client is idle: one checked out between two queries of a transaction has no listener,
  // and node-postgres's emit would become an uncaught exception. So every client gets its own listener for its
  // whole life; the query in flight, if any, still fails with the error (and becomes a 503), and the pool drops
  // the broken client when it is released. The pool's own 'error' (idle clients) must be listened to as well, but
  // the client's listener has already said it.
  pool.on('connect', (client) => client.on('error', (error) => log.warn('database connection lost', { error })))
  pool.on('error', () => {})
  const db = drizzle(pool, { schema })
  // A failed start (the database refuses connections, a migration fails) must not leave a pool behind: the next
  // attempt opens its own, and the abandoned one would hold connections until the process ends.
  try {
    // Nearly every start finds the database migrated: one query says so, without waiting for the lock and without
    // Drizzle reading and hashing every migration file (about 20 ms of a start-up the API-only server counts).
    const current = await migrationsCurrent(db).catch(() => false)
    if (!current) await migrateUnderLock(directUrl)
  } catch (error) {
    await pool.end().catch(() => {})
    throw error
  }
  // LISTEN belongs to a session: through a transaction-mode pooler it would be lost at the next transaction.
  const notifications = postgresNotifications(() => new Client({ connectionString: directUrl, connectionTimeoutMillis: 5_000 }))
  return {
    db,
    kind: 'postgres',
    pool,
    notifications,
    close: async () => {
      await notifications.close()
      await pool.end()
    },
  }
}

// Several instances may start at once: one migrates while the others wait on the same advisory lock. The lock
// belongs to the session, so a connection lost mid-migration releases it with the connection — which is also why it
// is taken on a direct connection of its own: through a transaction-mode pooler, the lock and its unlock could land
// on different server connections.
async function migrateUnderLock(directUrl: string): Promise<void> {
  const { Client } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const { migrate } = await import('drizzle-orm/node-postgres/migrator')
  const connection = new Client({ connectionString: directUrl, connectionTimeoutMillis: 5_000 })
  connection.on('error', (error) => log.warn('migration connection lost', { error }))
  await connection.connect()
  try {
    await connection.query('select pg_advisory_lock(7310410)')
    await migrate(drizzle(connection, { schema }), { migrationsFolder })
    await connection.query('select pg_advisory_unlock(7310410)')
  } finally {
    await connection.end().catch(() => {})
  }
}

const Journal = z.object({ entries: z.array(z.object({ when: z.number(), tag: z.string() })) })

// The journal is part of the build: read once, not on every readiness probe.
let latestShipped: number | undefined
function latestShippedMigration(): number {
  if (latestShipped === undefined) {
    const journal = Journal.parse(JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')))
    latestShipped = Math.max(0, ...journal.entries.map((entry) => entry.when))
  }
  return latestShipped
}

/**
 * Whether the database has every migration this build ships: Drizzle records each applied migration in
 * drizzle.__drizzle_migrations with the journal's `when` as created_at, and applies them in that order.
 */
export async function migrationsCurrent(db: Db): Promise<boolean> {
  const latest = latestShippedMigration()
  const result = await db.execute(sql`select coalesce(max(created_at), 0)::text as applied from drizzle.__drizzle_migrations`)
  const [row] = z.object({ rows: z.array(z.object({ applied: z.coerce.number() })) }).parse(result).rows
  return (row?.applied ?? 0) >= latest
}
