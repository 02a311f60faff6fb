// Prepares one migrated database per run that every test file starts from, which is much faster than making and
// migrating each file's own: on PostgreSQL a template database each file clones (CREATE DATABASE … TEMPLATE); on
// PGlite a dump of a migrated data directory each file loads (PGlite's own start, initdb in WebAssembly, costs 5 to
// 9 s on a busy 2-core machine; loading the dump about 2 s).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrationsFolder, openDatabase } from '../../src/server/db/client'
import { schema } from '../../src/server/db/schema'
import { adminPool, isPostgresRun, postgresUrlFor } from './postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null
    /** A file holding a migrated PGlite data directory (dumpDataDir), on PGlite runs. */
    pgliteDump: string | null
  }
}

async function migratedPgliteDump(file: string): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  const client = new PGlite()
  try {
    await migrate(drizzle(client, { schema }), { migrationsFolder })
    const dump = await client.dumpDataDir('none')
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  } finally {
    await client.close()
  }
}

export default async function setup(project: TestProject) {
  if (!isPostgresRun()) {
    const dir = mkdtempSync(path.join(tmpdir(), 'twofold-pglite-dump-'))
    const file = path.join(dir, 'migrated.tar')
    await migratedPgliteDump(file)
    project.provide('templateDatabase', null)
    project.provide('pgliteDump', file)
    return () => rmSync(dir, { recursive: true, force: true })
  }
  project.provide('pgliteDump', null)
  const template = `twofold_tpl_${process.pid}`
  const admin = adminPool()
  await admin.query(`DROP DATABASE IF EXISTS ${template}`)
  await admin.query(`CREATE DATABASE ${template}`)
  const database = await openDatabase({ kind: 'postgres', url: postgresUrlFor(template) })
  await database.close()
  project.provide('templateDatabase', template)

  return async () => {
    // Drop the template and every per-file clone made from it.
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${template}%'`)
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    await admin.end()
  }
}
