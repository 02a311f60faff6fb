// Helpers for running the suites against real PostgreSQL (DATABASE_URL=postgres://…).
import pg from 'pg'

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
