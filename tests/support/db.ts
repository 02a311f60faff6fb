// A fresh, fully migrated database for one test file: in-memory PGlite loaded from the migrated dump by default, a
// clone of the migrated template on PostgreSQL when DATABASE_URL is set. Close it in afterAll.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { hashPassword, verifyPassword } from 'better-auth/crypto'
import { inject } from 'vitest'
import { type Database, openPgliteFromDump } from '../../src/server/db/client'
import { rateLimits, schema, user } from '../../src/server/db/schema'
import { localStorage } from '../../src/server/files/local-storage'
import type { FileStorage } from '../../src/server/files/storage'
import { type Actor, buildContext, type ContextDeps, type ServiceContext } from '../../src/server/services/context'
import { createPersonal } from '../../src/server/services/workspaces'
import { isPostgresRun, openThrowawayDatabase } from './postgres'

export async function createTestDatabase(): Promise<Database> {
  if (!isPostgresRun()) {
    // The migrated dump global setup made: loading it is several times faster than a fresh PGlite.
    const dump = inject('pgliteDump')
    if (!dump) throw new Error('global setup did not prepare a PGlite dump')
    return openPgliteFromDump(new Blob([readFileSync(dump)]))
  }
  const template = inject('templateDatabase')
  if (!template) throw new Error('global setup did not prepare a template database')
  // Clones are named after the template, so the global teardown finds and drops them all.
  const clone = `${template}_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  return openThrowawayDatabase(clone, template)
}

// Each user createUser made, with the slug of their personal workspace: contextFor works in it unless told otherwise.
const personalSlugs = new Map<string, string>()

/**
 * Inserts a user row directly (service tests need a person, not a password) with the personal workspace sign-up
 * gives everyone.
 */
export async function createUser(database: Database, name = 'Test User'): Promise<string> {
  const id = randomUUID()
  await database.db.insert(user).values({ id, name, email: `${id}@example.test` })
  const personal = await createPersonal(database.db, { id, name })
  personalSlugs.set(id, personal.slug)
  return id
}

/** The slug of the personal workspace createUser made for `userId`. */
export function personalWorkspace(userId: string): string {
  const slug = personalSlugs.get(userId)
  if (!slug) throw new Error(`no personal workspace recorded for ${userId}: make the user with createUser`)
  return slug
}

export const sessionActor = (userId: string): Actor => ({ type: 'user', userId, via: 'session' })

/**
 * A service context for `actor`. A session works in `workspace` (a slug), by default the personal workspace of a
 * user made with createUser; a token works in its own.
 */
export function contextFor(database: Database, actor: Actor, now: () => Date = () => new Date(), workspace?: string): ServiceContext {
  const slug = workspace ?? (actor.type === 'user' && actor.via === 'session' ? personalSlugs.get(actor.userId) : undefined)
  return buildContext(actor, { ...contextDepsFor(database), now }, slug)
}

// One temporary directory per test file for the files services write through a plain contextFor.
let testStorage: FileStorage | undefined

/**
 * The dependencies a test's service contexts are built with: its database, a temporary file store, Better Auth's
 * own password hashing, no Stripe (tests that need it put the stand-in's in), and mail left in the outbox.
 */
export function contextDepsFor(database: Database): ContextDeps {
  testStorage ??= localStorage(mkdtempSync(path.join(tmpdir(), 'twofold-test-files-')))
  return {
    db: database.db,
    now: () => new Date(),
    appUrl: 'http://app.test',
    mailQueued: () => {},
    passwords: { hash: hashPassword, verify: verifyPassword },
    stripe: async () => null,
    storage: testStorage,
    notifications: database.notifications,
  }
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
