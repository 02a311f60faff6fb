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
