// `npm run db:migrate`: brings the configured database (PGlite in .data/ or DATABASE_URL) to the latest migration.
import './load-env'
import { config } from '../src/server/config'
import { openDatabase } from '../src/server/db/client'

const { database } = config()
const opened = await openDatabase(database)
await opened.close()
console.log(`Migrated ${database.kind === 'postgres' ? 'PostgreSQL' : `PGlite (${database.dataDir ?? 'in memory'})`}.`)
