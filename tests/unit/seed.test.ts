// The demo account: seeding is idempotent, in the app (SEED_DEMO) and through `npm run db:seed`, run twice.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, expect, test } from 'vitest'
import { createAuth } from '../../src/server/auth/auth'
import { parseConfig } from '../../src/server/config'
import { type Database, openDatabase } from '../../src/server/db/client'
import { memberships, projects, user } from '../../src/server/db/schema'
import { DEMO_ACCOUNT, seedDemo } from '../../src/server/seed'
import { contextDepsFor, createTestDatabase } from '../support/db'

const ROOT = path.resolve(import.meta.dirname, '../..')
const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-seed-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

async function demoRows(database: Database) {
  const users = await database.db.select({ id: user.id }).from(user).where(eq(user.email, DEMO_ACCOUNT.email))
  // The demo user's projects are those of the workspaces they belong to (their personal one, made at sign-up).
  const owned = users[0]
    ? await database.db
        .select({ name: projects.name })
        .from(projects)
        .innerJoin(memberships, eq(memberships.workspaceId, projects.workspaceId))
        .where(eq(memberships.userId, users[0].id))
    : []
  return { users: users.length, projects: owned.map((p) => p.name).sort() }
}

const seeded = { users: 1, projects: ['Mobile app', 'Welcome to Twofold'] }

test('seeding twice leaves one demo user with its two projects', async () => {
  const database = await createTestDatabase()
  try {
    const cfg = parseConfig({ NODE_ENV: 'test', DATABASE_URL: 'memory://', BETTER_AUTH_SECRET: 'seed-test-secret-seed-test-secret-0123' })
    const runtime = { auth: createAuth(database.db, cfg), deps: contextDepsFor(database) }
    await seedDemo(runtime)
    await seedDemo(runtime)
    expect(await demoRows(database)).toEqual(seeded)
  } finally {
    await database.close()
  }
})

test('`npm run db:seed` twice on the embedded database: one demo user', () => {
  // The script on its own, as a person runs it: PGlite in a directory of its own, no DATABASE_URL.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    PGLITE_DIR: dataDir,
    LOG_LEVEL: 'warn',
  }
  for (const run of [1, 2]) {
    const result = spawnSync('npx', ['tsx', 'scripts/db-seed.ts'], { cwd: ROOT, env, encoding: 'utf8' })
    expect(result.status, `run ${run}:\n${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.stdout).toContain(`Demo account: ${DEMO_ACCOUNT.email}`)
  }
}, 120_000)

test('…and the database it left holds exactly that', async () => {
  const database = await openDatabase({ kind: 'pglite', dataDir })
  try {
    expect(await demoRows(database)).toEqual(seeded)
  } finally {
    await database.close()
  }
})
