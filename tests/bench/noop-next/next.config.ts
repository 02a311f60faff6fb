import path from 'node:path'
import type { NextConfig } from 'next'

// Its own config, so the root's (headers, external packages) is not the thing measured. The root is the repository's,
// where node_modules and the lockfile are: without it Next guesses from the lockfiles and warns.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  turbopack: { root: path.resolve(import.meta.dirname, '../../..') },
}

export default nextConfig
