// `npm run db:seed`: migrates the configured database and creates the demo account (idempotent).
import './load-env'
import { parseConfig } from '../src/server/config'
import { createRuntime } from '../src/server/runtime'
import { DEMO_ACCOUNT } from '../src/server/seed'

const runtime = await createRuntime({ ...parseConfig(process.env), seedDemo: true })
await runtime.database.close()
console.log(`Demo account: ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`)
