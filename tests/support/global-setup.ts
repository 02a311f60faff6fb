// On PostgreSQL, migrates one template database per run; each test file then clones it (CREATE DATABASE … TEMPLATE),
// which is much faster than migrating every file's database. On PGlite there is nothing to prepare.
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../src/server/db/client'
import { adminPool, isPostgresRun, postgresUrlFor } from './postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null
  }
}

export default async function setup(project: TestProject) {
  if (!isPostgresRun()) {
    project.provide('templateDatabase', null)
    return
  }
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
