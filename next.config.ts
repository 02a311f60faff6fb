import type { NextConfig } from 'next'
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants'

// Headers every response carries. The app loads nothing from other origins, so it can say so.
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
]

// Next's own page extensions, and the development tools' (the dev mailbox, the Stripe trigger): page.dev.tsx and
// route.dev.ts are routes only under `next dev`. A production build does not compile them at all, so every dev path is
// Next's 404 for every method whatever the environment says (DESIGN.md: gated by the build, not by a variable).
const PAGE_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js']
const DEV_PAGE_EXTENSIONS = ['dev.tsx', 'dev.ts']

export default function nextConfig(phase: string): NextConfig {
  const development = phase === PHASE_DEVELOPMENT_SERVER
  return {
    pageExtensions: development ? [...DEV_PAGE_EXTENSIONS, ...PAGE_EXTENSIONS] : PAGE_EXTENSIONS,
    // Loaded from node_modules at run time rather than bundled: PGlite ships WASM and data files, and
    // rate-limiter-flexible imports drizzle-orm by a computed name, which no bundler can follow.
    // drizzle-orm itself is bundled: imported from node_modules as ESM, each of its hundred files sent Node to its
    // 179 kB package.json (0.45–0.75 s of the app's start-up in a CPU profile). The limiter's own import then loads
    // a second copy when a sign-in limit is first counted; the two work together, since drizzle tells its classes
    // apart by a Symbol.for key, not by identity (the API-only server has run that way since it bundled drizzle).
    serverExternalPackages: ['@electric-sql/pglite', 'pg', 'rate-limiter-flexible'],
    poweredByHeader: false,
    // server.js compresses instead, and only for a request that accepts an encoding: Next's middleware takes over
    // every response (its write, end and header hooks) even when the client accepts none, as most API clients do.
    compress: false,
    experimental: {
      // Next loads every route's modules as it starts, on the same thread that opens the database for the readiness
      // check: ready came 0.3–0.4 s later (1.6 s against 1.2 s here), and the first page was served later too (ready
      // plus the first page: 2.0 s against 1.85 s), since most of what it loaded was routes nobody had asked for yet.
      // Off, each route loads with its first request (the first page took ~170 ms longer, the ones after it none).
      preloadEntriesOnStart: false,
    },
    async headers() {
      return [
        { source: '/:path*', headers: securityHeaders },
        // JSON is never a document to render: nothing may load or frame it. Pages get a per-request nonce policy (src/proxy.ts).
        // In development, the dev mailbox's HTML view sends its own sandboxing policy, which this one would replace.
        {
          source: development ? '/api/:path((?!dev/mailbox/).*)' : '/api/:path*',
          headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }],
        },
      ]
    },
  }
}
