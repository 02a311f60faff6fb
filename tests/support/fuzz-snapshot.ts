// What "a refused request had no effect" is checked against: every committed write to the database and the stored
// files, cheaply enough to check around each of ten thousand requests. Its own module because what counts as an
// effect (and what is left out, and why) is a judgement a reader should find in one place.
//
// Fingerprinting every table's rows around each request costs a scan of the whole database per request, which grows
// with the run. Instead, set-up gives the throwaway database a trigger on every table that counts, per table, each
// row inserted, deleted or changed, in a counter table written in the same transaction: a write that commits is
// counted, a write rolled back is not. A snapshot reads that small table. Left out, each for a reason:
// - the API's rate-limit counters (rate_limits), which charge a refused request by design;
// - a token's last_used_at, recorded whenever a token is presented (at most once a minute), accepted or refused: an
//   update that changes nothing else is not counted;
// - file_purges, where a refused upload enters its storage key before storing and removes it after: two real writes
//   that cancel out. It is fingerprinted by its rows instead (it stays small).
import { statSync } from 'node:fs'
import { sql } from 'drizzle-orm'
import type { Database } from '../../src/server/db/client'
import { filesOnDisk } from './files'

const UNCOUNTED = ['rate_limits', 'file_purges', 'fuzz_writes']

// One statement each: PGlite runs one statement per query.
const COUNTER = [
  'create table fuzz_writes (t text primary key, n bigint not null)',
  `create or replace function fuzz_count_write() returns trigger language plpgsql as $fn$
  begin
    if tg_op = 'UPDATE' and (to_jsonb(old) - 'last_used_at') = (to_jsonb(new) - 'last_used_at') then return null; end if;
    insert into fuzz_writes (t, n) values (tg_table_name, 1) on conflict (t) do update set n = fuzz_writes.n + 1;
    return null;
  end $fn$`,
  `do $do$
  declare name text;
  begin
    for name in select tablename from pg_tables where schemaname = 'public' and tablename <> all (array['${UNCOUNTED.join("','")}']) loop
      execute format('create trigger fuzz_count_rows after insert or update or delete on %I for each row execute function fuzz_count_write()', name);
      execute format('create trigger fuzz_count_truncate after truncate on %I for each statement execute function fuzz_count_write()', name);
    end loop;
  end $do$`,
  `create or replace function fuzz_fingerprint() returns text language sql as $fn$
    select coalesce((select string_agg(t || ':' || n, ' ' order by t) from fuzz_writes), '')
      || ' file_purges:' || (select count(*) || '/' || coalesce(sum(hashtext(p::text)::bigint), 0) from file_purges p)
  $fn$`,
]

/** Installs the write counter: once per database, before the first snapshot. */
export async function countWrites(database: Database): Promise<void> {
  for (const statement of COUNTER) await database.db.execute(sql.raw(statement))
}

export type Snapshot = { writes: string; files: string[] | 'not listed' }

/**
 * The database's committed writes so far and, when `withFiles`, every stored file with its size (the caller decides
 * which requests could reach the storage at all).
 */
export async function snapshot(database: Database, storageDir: string, withFiles: boolean): Promise<Snapshot> {
  const result = (await database.db.execute(sql.raw('select fuzz_fingerprint() as f'))) as unknown as { rows: { f: string }[] }
  const writes = result.rows[0]?.f ?? ''
  if (!withFiles) return { writes, files: 'not listed' }
  const files = filesOnDisk(storageDir)
    .map((file) => `${file.slice(storageDir.length)}:${statSync(file).size}`)
    .sort()
  return { writes, files }
}
