// Statements the API runs on nearly every request, built once per database handle instead of once per call:
// Drizzle's query building (entity checks, SQL assembly) cost more than the query itself on the hot path. Named, so
// node-postgres also parses each once per connection. Keyed by handle, so a test's database or a transaction gets
// its own, and a handle that is gone takes its statements with it.
import type { Db } from './client'

export function preparedOnce<T>(build: (db: Db) => T): (db: Db) => T {
  const byDb = new WeakMap<Db, T>()
  return (db) => {
    let statement = byDb.get(db)
    if (!statement) {
      statement = build(db)
      byDb.set(db, statement)
    }
    return statement
  }
}

type Values = Record<string, unknown>
type Prepared<Row> = { execute(values?: Values): Promise<Row[]> }
type WithRawRows = { all(values?: Values): Promise<unknown> }

function hasRawRows(statement: object): statement is WithRawRows {
  return 'all' in statement && typeof statement.all === 'function'
}

/**
 * Runs a prepared select and gives its rows as the driver made them, without Drizzle's mapping of each row (an
 * entity check and a decoder call per column: with GC, about 0.04 ms of the API's list of 21 rows, measured). Only
 * for a selection that needs no mapping: every key is the name PostgreSQL gives its column (a plain column whose
 * name is the key, an expression given `.as(key)`), and no column needs decoding (text, uuid, int4; no Date, json or
 * bigint). Then the rows are the very objects execute() would build, and a test (projects.test.ts) says so. Both
 * drivers we run (node-postgres, PGlite) have all(); any other falls back to execute().
 */
export function unmappedRows<Row>(statement: Prepared<Row>, values: Values): Promise<Row[]> {
  if (!hasRawRows(statement)) return statement.execute(values)
  // The rows' type is the selection's, by the contract above.
  return statement.all(values) as Promise<Row[]>
}

type QueryConfigLike = { name?: unknown; submit?: unknown }

/**
 * For a pool behind a transaction-mode pooler (DATABASE_POOL_MODE=transaction): makes `client` send every statement
 * unnamed. A named statement is parsed once on one server connection, and node-postgres remembers it per client; but
 * PgBouncer before 1.21 gives each transaction whichever server connection is free, where the name is unknown
 * ("prepared statement … does not exist") or already taken. The statements above stay built once (the saving that
 * matters); only PostgreSQL's per-connection parse is given up.
 */
export function sendStatementsUnnamed(client: { query: unknown }): void {
  const query = client.query
  if (typeof query !== 'function') return
  Object.assign(client, {
    query: (config: unknown, ...rest: unknown[]): unknown => Reflect.apply(query, client, [unnamed(config), ...rest]),
  })
}

function unnamed(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return config
  const candidate: QueryConfigLike = config
  // A Submittable (a cursor, a stream) is the library's own object: passed as it is.
  if (typeof candidate.submit === 'function' || !candidate.name) return config
  return { ...config, name: undefined }
}
