// What "a rejected request had no effect" is checked against: the whole database and the stored files, cheaply enough
// to take around thousands of requests. Its own module because the fingerprint is a judgement (what counts as an
// effect, what is left out and why) that a reader should find in one place.
import { statSync } from 'node:fs'
import { getTableName, sql } from 'drizzle-orm'
import type { Database } from '../../src/server/db/client'
import { apiTokens, rateLimits, schema } from '../../src/server/db/schema'
import { filesOnDisk } from './files'

// Left out: the API's rate-limit counters, which charge a refused request by design. A token's last_used_at is
// recorded whenever it is presented (at most once a minute), accepted or refused: not a write the request made, so
// the tokens table is fingerprinted by its rows without that column. Every other table by its row count and the
// newest row version's transaction id (xmin): an insert, update or delete that committed changes one of the two,
// and what a rejected request wrote and undid (an upload's purge entry) leaves no visible row behind.
function fingerprintQuery(): string {
  const tables = Object.values(schema).filter((table) => table !== rateLimits)
  const names = [...new Set(tables.map((table) => getTableName(table as Parameters<typeof getTableName>[0])))]
  const tokens = getTableName(apiTokens)
  return names
    .map((name) =>
      name === tokens
        ? `select '${name}' as t, count(*)::text as n, coalesce(sum(hashtext((to_jsonb(x) - 'last_used_at')::text)::bigint), 0)::text as v from "${name}" x`
        : `select '${name}' as t, count(*)::text as n, coalesce(max(xmin::text::bigint), 0)::text as v from "${name}"`,
    )
    .join(' union all ')
}

export type Snapshot = { tables: Record<string, string>; files: string[] }

let query: string | undefined

/** The database's fingerprint per table, and every stored file with its size. */
export async function snapshot(database: Database, storageDir: string): Promise<Snapshot> {
  query ??= fingerprintQuery()
  const result = (await database.db.execute(sql.raw(query))) as unknown as { rows: { t: string; n: string; v: string }[] }
  const tables = Object.fromEntries(result.rows.map((row) => [row.t, `${row.n}/${row.v}`]))
  const files = filesOnDisk(storageDir)
    .map((file) => `${file.slice(storageDir.length)}:${statSync(file).size}`)
    .sort()
  return { tables, files }
}
