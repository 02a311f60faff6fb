// A fresh, fully migrated database for one test file: in-memory PGlite by default, a clone of the migrated
// template on PostgreSQL when DATABASE_URL is set. Close it in afterAll.
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db/client'
import { rateLimits, schema, user } from '../../src/server/db/schema'
import type { Actor, ServiceContext } from '../../src/server/services/context'
import { isPostgresRun, openThrowawayDatabase } from './postgres'

export async function createTestDatabase(): Promise<Database> {
  if (!isPostgresRun()) return openDatabase({ kind: 'pglite', dataDir: null })
  const template = inject('templateDatabase')
  if (!template) throw new Error('global setup did not prepare a template database')
  // Clones are named after the template, so the global teardown finds and drops them all.
  const clone = `${template}_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  return openThrowawayDatabase(clone, template)
}

/** Inserts a user row directly: service tests need an owner, not a password. */
export async function createUser(database: Database, name = 'Test User'): Promise<string> {
  const id = randomUUID()
  await database.db.insert(user).values({ id, name, email: `${id}@example.test` })
  return id
}

export const sessionActor = (userId: string): Actor => ({ type: 'user', userId, via: 'session' })

export function contextFor(database: Database, actor: Actor, now: () => Date = () => new Date()): ServiceContext {
  return { db: database.db, actor, now }
}

// Every table of the schema except the API's rate-limit counters, which count rejected requests by design (a refused
// request must still cost the sender its budget). Better Auth's own throttle table stays in: the API never touches it.
// A token's last_used_at records that it was presented, accepted or refused (at most once a minute): not a write the
// request made, so it is left out of the comparison.
const writableTables = Object.entries(schema).filter(([, table]) => table !== rateLimits)
const unrecorded = (name: string, row: Record<string, unknown>) => {
  if (name !== 'apiTokens') return row
  const { lastUsedAt: _presented, ...rest } = row
  return rest
}

/** Every row a request could create, change or delete, per table in a stable order: compare two to prove nothing
 * was written. */
export async function domainRows(database: Database) {
  const rows: Record<string, unknown[]> = {}
  for (const [name, table] of writableTables) {
    const all: Record<string, unknown>[] = await database.db.select().from(table)
    rows[name] = all.map((row) => JSON.stringify(unrecorded(name, row))).sort()
  }
  return rows
}
