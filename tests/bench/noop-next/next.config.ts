import type { NextConfig } from 'next'

// Its own config, so the root's (headers, external packages) is not part of what is measured.
const nextConfig: NextConfig = { poweredByHeader: false }

export default nextConfig
