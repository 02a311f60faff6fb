// The embedded database on disk (PGLITE_DIR): what is written survives closing it and opening it again, and the
// second open finds the migrations already applied; `npm run db:migrate` finds the directory in .env as Next does.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { openDatabase } from '../../src/server/db/client'
import * as projects from '../../src/server/services/projects'
import { contextFor, createUser, sessionActor } from '../support/db'

const ROOT = path.resolve(import.meta.dirname, '../..')
const dataDir = mkdtempSync(path.join(tmpdir(), 'twofold-pglite-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

test('a file-backed PGlite keeps its rows across close and reopen', async () => {
  const first = await openDatabase({ kind: 'pglite', dataDir })
  const userId = await createUser(first, 'Kept')
  const created = await projects.create(contextFor(first, sessionActor(userId)), { name: 'Survives a restart' })
  await first.close()

  const second = await openDatabase({ kind: 'pglite', dataDir })
  try {
    const page = await projects.list(contextFor(second, sessionActor(userId)), {})
    expect(page.items.map(({ id, name }) => ({ id, name }))).toEqual([{ id: created.id, name: 'Survives a restart' }])
  } finally {
    await second.close()
  }
})

test('`npm run db:migrate` reads the .env file Next reads, and migrates the directory it names', async () => {
  // A project directory of its own: its .env names the database; the migrations are found from the working
  // directory, as the app finds them, so src/ is linked in.
  const project = mkdtempSync(path.join(tmpdir(), 'twofold-dotenv-'))
  const named = path.join(project, 'from-dotenv')
  try {
    symlinkSync(path.join(ROOT, 'src'), path.join(project, 'src'))
    writeFileSync(path.join(project, '.env'), `PGLITE_DIR=${named}\n`)
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'warn' }
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/db-migrate.ts')], {
      cwd: project,
      env,
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(`Migrated PGlite (${named}).`)
    const database = await openDatabase({ kind: 'pglite', dataDir: named })
    try {
      expect(await projects.list(contextFor(database, sessionActor(await createUser(database))), {})).toEqual({
        items: [],
        nextCursor: null,
      })
    } finally {
      await database.close()
    }
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
})
