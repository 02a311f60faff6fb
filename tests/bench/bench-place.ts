// Where an upload bench's server keeps its data: a fresh PostgreSQL database (DATABASE_URL set) or a PGlite
// directory, and a files directory, with the env that points a server at them and a way to remove both after.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Database, openDatabase } from '../../src/server/db/client'
import { isPostgresRun } from '../support/postgres'
import { throwawayPostgres } from '../support/server'

export type BenchPlace = {
  env: Record<string, string | undefined>
  filesDir: string
  /** Opens the server's database from the bench (to seed it); close it before the server starts writing. */
  open(): Promise<Database>
  drop(): Promise<void>
}

export async function benchPlace(label: string): Promise<BenchPlace> {
  const filesDir = mkdtempSync(path.join(tmpdir(), `twofold-bench-${label}-files-`))
  const base = { FILES_DIR: filesDir, LOG_LEVEL: 'warn' }
  if (isPostgresRun()) {
    const fresh = await throwawayPostgres('twofold_bench')
    return {
      env: { DATABASE_URL: fresh.url, ...base },
      filesDir,
      open: () => openDatabase({ kind: 'postgres', url: fresh.url }),
      async drop() {
        await fresh.drop()
        rmSync(filesDir, { recursive: true, force: true })
      },
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), `twofold-bench-${label}-db-`))
  return {
    env: { DATABASE_URL: undefined, PGLITE_DIR: dir, ...base },
    filesDir,
    open: () => openDatabase({ kind: 'pglite', dataDir: dir }),
    async drop() {
      rmSync(dir, { recursive: true, force: true })
      rmSync(filesDir, { recursive: true, force: true })
    },
  }
}
