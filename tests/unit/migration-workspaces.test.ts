// Migration 0002 (workspaces) on a database made at the previous schema with data in it: everyone gets a personal
// workspace they own, their projects and tokens move into it, and the services work on what the migration left.
// On PGlite by default; on a fresh PostgreSQL database when DATABASE_URL is set.
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Database, type Db, migrationsFolder } from '../../src/server/db/client'
import { schema } from '../../src/server/db/schema'
import * as projects from '../../src/server/services/projects'
import { Slug } from '../../src/server/services/slugs'
import * as tokens from '../../src/server/services/tokens'
import { contextFor, sessionActor } from '../support/db'
import { isPostgresRun } from '../support/postgres'
import { throwawayPostgres } from '../support/server'

/** The migrations folder as it was at the previous commit: 0000 and 0001 only. */
function previousMigrations(): { folder: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), 'twofold-migrations-'))
  cpSync(migrationsFolder, folder, { recursive: true })
  const journalPath = path.join(folder, 'meta/_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] }
  expect(journal.entries.map((e) => e.tag).slice(0, 3)).toEqual(['0000_init', '0001_outbox', '0002_workspaces'])
  journal.entries = journal.entries.slice(0, 2)
  writeFileSync(journalPath, JSON.stringify(journal, null, 2))
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) }
}

type Migratable = Database & { migrate(folder: string): Promise<void> }

/** An empty database (PGlite in memory, or a throwaway PostgreSQL one) that a test migrates by hand. */
async function emptyDatabase(): Promise<Migratable> {
  if (!isPostgresRun()) {
    const { PGlite } = await import('@electric-sql/pglite')
    const { drizzle } = await import('drizzle-orm/pglite')
    const { migrate } = await import('drizzle-orm/pglite/migrator')
    const client = new PGlite()
    const db = drizzle(client, { schema })
    return { db, kind: 'pglite', close: () => client.close(), migrate: (folder) => migrate(db, { migrationsFolder: folder }) }
  }
  const { Pool } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const { migrate } = await import('drizzle-orm/node-postgres/migrator')
  const fresh = await throwawayPostgres()
  const pool = new Pool({ connectionString: fresh.url, max: 4 })
  const db = drizzle(pool, { schema })
  return {
    db,
    kind: 'postgres',
    pool,
    close: async () => {
      await pool.end()
      await fresh.drop()
    },
    migrate: (folder) => migrate(db, { migrationsFolder: folder }),
  }
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}

// The people of the old schema. Names chosen to trip slug-making: two the same, one with no ASCII letters at all,
// one only blanks, one empty, one longer than a workspace name may be, one whose slug would be reserved.
const PEOPLE = [
  { id: 'u-ada', name: 'Ada Lovelace' },
  { id: 'u-same-1', name: 'Sam Same' },
  { id: 'u-same-2', name: 'Sam Same' },
  { id: 'u-tokyo', name: '東京 🚀' },
  { id: 'u-blank', name: '   ' },
  { id: 'u-empty', name: '' },
  { id: 'u-long', name: `Long ${'x'.repeat(95)}` },
  { id: 'u-admin', name: 'Admin' },
]
const PLAIN_TOKEN = `tf_${'a'.repeat(32)}`
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

let database: Migratable
let previous: ReturnType<typeof previousMigrations>
const counts: Record<string, number> = {}

beforeAll(async () => {
  previous = previousMigrations()
  database = await emptyDatabase()
  await database.migrate(previous.folder)
  const { db } = database
  // Written the old way, with the old columns: projects.owner_id, api_tokens.user_id, no workspaces.
  for (const [i, person] of PEOPLE.entries()) {
    await db.execute(sql`insert into "user" (id, name, email) values (${person.id}, ${person.name}, ${`person${i}@example.test`})`)
  }
  for (const person of PEOPLE) {
    for (const n of [1, 2]) {
      await db.execute(sql`insert into projects (owner_id, name) values (${person.id}, ${`${person.name} project ${n}`})`)
    }
  }
  await db.execute(
    sql`insert into api_tokens (user_id, name, prefix, hash, scopes) values ('u-ada', 'CI', ${PLAIN_TOKEN.slice(0, 9)}, ${sha256(PLAIN_TOKEN)}, '{projects:read}')`,
  )
  await db.execute(
    sql`insert into api_tokens (user_id, name, prefix, hash, scopes) values ('u-tokyo', 'Old', 'tf_bbbbbb', ${sha256('tf_other')}, '{projects:write}')`,
  )
  for (const table of ['user', 'projects', 'api_tokens']) {
    const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)}`)
    counts[table] = row?.n ?? -1
  }
  await database.migrate(migrationsFolder)
})
afterAll(async () => {
  await database?.close()
  previous?.remove()
})

describe(`migrating a database with data to workspaces (${isPostgresRun() ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('counts are unchanged', async () => {
    for (const table of ['user', 'projects', 'api_tokens']) {
      const [row] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.identifier(table)}`)
      expect(row?.n, table).toBe(counts[table])
    }
    expect(counts).toEqual({ user: PEOPLE.length, projects: PEOPLE.length * 2, api_tokens: 2 })
  })

  test('every person owns exactly one workspace, and belongs to no other', async () => {
    const found = await rows<{ user_id: string; n: number; owners: number }>(
      database.db,
      sql`select u.id as user_id, count(m.workspace_id)::int as n, count(*) filter (where m.role = 'owner')::int as owners
          from "user" u left join memberships m on m.user_id = u.id group by u.id order by u.id`,
    )
    expect(found).toHaveLength(PEOPLE.length)
    for (const row of found) expect(row, row.user_id).toMatchObject({ n: 1, owners: 1 })
    const [solo] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from (select workspace_id from memberships group by workspace_id having count(*) <> 1) x`,
    )
    expect(solo?.n).toBe(0)
  })

  test('slugs are unique and valid addresses; names are usable workspace names', async () => {
    const spaces = await rows<{ slug: string; name: string; user_id: string }>(
      database.db,
      sql`select w.slug, w.name, m.user_id from workspaces w join memberships m on m.workspace_id = w.id`,
    )
    expect(new Set(spaces.map((w) => w.slug)).size).toBe(PEOPLE.length)
    for (const space of spaces) {
      const parsed = Slug.safeParse(space.slug)
      expect(parsed.success ? parsed.data : parsed.error.issues, space.slug).toBe(space.slug)
    }
    const byUser = Object.fromEntries(spaces.map((w) => [w.user_id, w]))
    expect(byUser['u-ada']?.slug).toMatch(/^ada-lovelace-[0-9a-f]{6}$/)
    expect(byUser['u-ada']?.name).toBe('Ada Lovelace')
    expect(byUser['u-tokyo']?.name).toBe('東京 🚀')
    expect(byUser['u-same-1']?.slug).not.toBe(byUser['u-same-2']?.slug)
    // A workspace name is one line of 1 to 60 characters, as sign-up makes it (a blank name becomes "Personal").
    for (const id of ['u-blank', 'u-empty']) expect(byUser[id]?.name, id).toBe('Personal')
    expect(byUser['u-long']?.name).toBe(`Long ${'x'.repeat(55)}`)
  })

  test('every project and token moved to its owner’s personal workspace, created by them', async () => {
    const misplaced = await rows<{ id: string }>(
      database.db,
      sql`select p.id from projects p
          left join memberships m on m.workspace_id = p.workspace_id and m.user_id = p.created_by and m.role = 'owner'
          where p.created_by is null or m.user_id is null`,
    )
    expect(misplaced).toEqual([])
    const perPerson = await rows<{ created_by: string; n: number }>(
      database.db,
      sql`select created_by, count(*)::int as n from projects group by created_by`,
    )
    expect(perPerson).toHaveLength(PEOPLE.length)
    for (const row of perPerson) expect(row.n).toBe(2)
    const tokensOut = await rows<{ id: string }>(
      database.db,
      sql`select t.id from api_tokens t
          left join memberships m on m.workspace_id = t.workspace_id and m.user_id = t.user_id and m.role = 'owner'
          where m.user_id is null`,
    )
    expect(tokensOut).toEqual([])
  })

  test('the services work on the migrated data', async () => {
    const [ada] = await rows<{ slug: string }>(
      database.db,
      sql`select w.slug from workspaces w join memberships m on m.workspace_id = w.id where m.user_id = 'u-ada'`,
    )
    if (!ada) throw new Error('no workspace for u-ada')
    const ctx = contextFor(database, sessionActor('u-ada'), undefined, ada.slug)
    const page = await projects.list(ctx, {})
    expect(page.items.map((p) => p.name).sort()).toEqual(['Ada Lovelace project 1', 'Ada Lovelace project 2'])
    const made = await projects.create(ctx, { name: 'After the migration' })
    expect((await projects.list(ctx, {})).items.map((p) => p.id)).toContain(made.id)

    const actor = await tokens.authenticate(database.db, PLAIN_TOKEN, new Date())
    expect(actor).toMatchObject({ type: 'user', userId: 'u-ada', via: 'token', role: 'owner', scopes: ['projects:read'] })
    if (!actor) throw new Error('unreachable')
    expect((await projects.list(contextFor(database, actor), {})).items).toHaveLength(3)
  })
})
