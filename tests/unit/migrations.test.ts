// Several app instances starting at once on one fresh PostgreSQL database: one migrates under the advisory lock
// while the others wait, so every instance comes up and each migration is applied exactly once.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { migrationsFolder, openDatabase } from '../../src/server/db/client'
import { isPostgresRun } from '../support/postgres'
import { throwawayPostgres } from '../support/server'

const journal: { entries: { tag: string }[] } = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8'))

describe.skipIf(!isPostgresRun())('migrations (PostgreSQL only: set DATABASE_URL=postgres://… to run)', () => {
  test('three instances opening one fresh database at once all start, and each migration runs once', async () => {
    const fresh = await throwawayPostgres()
    try {
      const opened = await Promise.allSettled([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: fresh.url })))
      const databases = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
      try {
        expect(opened.filter((result) => result.status === 'rejected')).toEqual([])
        const first = databases[0]
        if (!first?.pool) throw new Error('expected a PostgreSQL pool')
        const { rows } = await first.pool.query<{ applied: number }>('select count(*)::int as applied from drizzle.__drizzle_migrations')
        expect(rows[0]?.applied).toBe(journal.entries.length)
        // And the schema is usable from every instance.
        for (const database of databases) await expect(database.pool?.query('select count(*) from projects')).resolves.toBeDefined()
      } finally {
        await Promise.all(databases.map((database) => database.close()))
      }
    } finally {
      await fresh.drop()
    }
  })
})
