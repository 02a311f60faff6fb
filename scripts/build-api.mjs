// Bundles the API-only server's code (src/api-entry.ts and what it imports from src/server) into .api/entry.mjs,
// leaving npm packages as imports: api-server.js runs it with plain Node, no TypeScript loader at run time.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/api-entry.ts'],
  outfile: '.api/entry.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
console.log('API-only server built: .api/entry.mjs')
