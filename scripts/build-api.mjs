// Bundles the API-only server's code (src/api-entry.ts and what it imports from src/server) into .api/entry.mjs,
// leaving npm packages as imports: api-server.js runs it with plain Node, no TypeScript loader at run time. Drizzle is
// the exception: imported as ESM, its hundred files each send Node to its 179 kB package.json (a third of a second
// of start-up, measured); bundled, they are one file. Zod likewise: its ESM build is a hundred files too, and bundled
// the server was ready ~30 ms sooner (medians of nine alternate start-ups each, 0.47 against 0.50 s). Pino, the
// other package on the start-up path, cannot be: it is CommonJS that requires Node's modules by name at run time.
// Split into chunks: what the code imports lazily (Better Auth, for the seed in development) stays out of the entry,
// so the server does not load it to start.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const BUNDLED = /^(drizzle-orm|zod)(\/|$)/
/** Every npm package stays an import but those BUNDLED matches ('@/…' is the source's own alias, not a package). */
const externalPackages = {
  name: 'external-packages',
  setup(builder) {
    // esbuild's filters are Go regular expressions (no lookahead): the alias is told apart here.
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@/') || BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
    )
  },
}

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
  plugins: [externalPackages],
  sourcemap: true,
  logLevel: 'warning',
})
console.log('API-only server built: .api/entry.mjs')
