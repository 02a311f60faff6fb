// The browser suite: Debian's Chromium against a production build (`next build && next start`), with
// JavaScript on and, for the form specs, off. DATABASE_URL=postgres://… runs the same suite on PostgreSQL.
import { defineConfig } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3100)
const baseURL = `http://localhost:${port}`
const database = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? (process.env.DATABASE_URL ?? '') : 'memory://'

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'list',
  use: { baseURL, launchOptions, trace: 'retain-on-failure' },
  projects: [
    { name: 'javascript', use: { javaScriptEnabled: true } },
    // The forms must work as plain HTML posts; specs that need script (fetching tokens, clipboard) skip here.
    { name: 'no-javascript', use: { javaScriptEnabled: false }, grepInvert: /@needs-js/ },
  ],
  webServer: {
    command: `npx next build && npx next start -p ${port}`,
    url: `${baseURL}/api/v1/openapi.json`,
    reuseExistingServer: !process.env.CI,
    timeout: 600_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: database,
      BETTER_AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
      APP_URL: baseURL,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
    },
  },
})
