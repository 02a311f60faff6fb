// The API-only server (`npm run start:api`): the public API (/api/v1/*, its OpenAPI document and the health checks)
// with no Next.js in the path, for scaling the API apart from the app behind the same load balancer. The same
// operations, configuration, auth, limits and errors, bundled by `npm run build` into .api/entry.mjs; served by
// srvx's fetch-to-Node adapter behind the same HTTP shell as server.js.
import { existsSync } from 'node:fs'
import module from 'node:module'

// Node 22.1+ keeps V8's compiled code of every module it loads from here on in a cache on disk (NODE_COMPILE_CACHE,
// else the OS's temporary directory; keyed by Node's version and each file's contents, so a rebuild is never served
// stale code): the second and later start-ups skip compiling the bundle, ~40 ms of the ~0.47 s to ready. It is
// enabled before the imports below, which are dynamic so that they come after it. Node 20 has no such cache.
module.enableCompileCache?.()

const { toNodeHandler } = await import('srvx/node')
const { line, serve } = await import('./http-shell.js')
const ENTRY = new URL('./.api/entry.mjs', import.meta.url)
if (!existsSync(ENTRY)) {
  line('error', 'no API build in .api: run `npm run build` first')
  process.exit(1)
}
const { startApi } = await import(ENTRY.href)
serve(toNodeHandler(startApi()))
