// Helpers for running the suites against real PostgreSQL (DATABASE_URL=postgres://…).
import pg from 'pg'
import { type Database, openDatabase } from '../../src/server/db/client'

export const isPostgresRun = () => /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')

/** The server's URL with a different database name. */
export function postgresUrlFor(database: string): string {
  const url = new URL(process.env.DATABASE_URL ?? '')
  url.pathname = `/${database}`
  return url.toString()
}

/** A small pool on the database DATABASE_URL names, for CREATE/DROP DATABASE. */
export function adminPool(): pg.Pool {
  return new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 })
}

/** Creates database `name` on the DATABASE_URL server (a copy of `template` if given), opens and migrates it,
 * and drops it again on close. */
export async function openThrowawayDatabase(name: string, template?: string): Promise<Database> {
  const admin = adminPool()
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`)
  } finally {
    await admin.end()
  }
  const database = await openDatabase({ kind: 'postgres', url: postgresUrlFor(name) })
  return {
    ...database,
    async close() {
      await database.close()
      const cleanup = adminPool()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => cleanup.end())
    },
  }
}
