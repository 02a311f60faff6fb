import path from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname, 'src') } },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/api/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/support/global-setup.ts'],
    // Budgets that catch a hang, not a slow machine: on 2 busy cores a file-backed PGlite's start (initdb on disk)
    // alone took 20 s, and the suites share the cores with a build or another run.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Each file gets its own database; two workers keep a 2-core machine busy without thrashing.
    maxWorkers: 2,
    // The route modules log one access line per request: thousands in a fuzz run. Tests that read logs capture them.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
})
