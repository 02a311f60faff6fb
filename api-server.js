// The API-only server (`npm run start:api`): the public API (/api/v1/*, its OpenAPI document and the health checks)
// with no Next.js in the path, for scaling the API apart from the app behind the same load balancer. The same
// operations, configuration, auth, limits and errors, bundled by `npm run build` into .api/entry.mjs; served by
// srvx's fetch-to-Node adapter behind the same HTTP shell as server.js.
import { existsSync } from 'node:fs'
import { toNodeHandler } from 'srvx/node'
import { line, serve } from './http-shell.js'

const ENTRY = new URL('./.api/entry.mjs', import.meta.url)
if (!existsSync(ENTRY)) {
  line('error', 'no API build in .api: run `npm run build` first')
  process.exit(1)
}
const { startApi } = await import(ENTRY.href)
serve(toNodeHandler(startApi()))
