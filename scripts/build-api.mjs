// Bundles the API-only server's code (src/api-entry.ts and what it imports from src/server) into .api/entry.mjs,
// leaving npm packages as imports: api-server.js runs it with plain Node, no TypeScript loader at run time.
// Split into chunks: what the code imports lazily (Better Auth, for the seed in development) stays out of the entry,
// so the server does not load it to start.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('.api', { recursive: true, force: true })
await build({
  entryPoints: { entry: 'src/api-entry.ts' },
  outdir: '.api',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
console.log('API-only server built: .api/entry.mjs')
