// The browser suite: Debian's Chromium against the production server (`node server.js`) from the existing build,
// with JavaScript on and, for the form specs, off. It never builds: `npm test` builds once for every suite, and
// `npx playwright test` alone fails at once, saying so, when there is no build.
// The server's database: E2E_DATABASE_URL (npm test makes a fresh PostgreSQL database per run and drops it), else
// DATABASE_URL=postgres://… as given (the suite's accounts stay in it), else in-memory PGlite.
import { defineConfig } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3100)
const baseURL = `http://127.0.0.1:${port}`
const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined
const database = process.env.E2E_DATABASE_URL || postgres || 'memory://'
const noBuild = 'No production build in .next: run `npx next build` first (npm test does).'
// The app sends its mail through real SMTP to tests/e2e/smtp-sink.mjs; the specs read it back over HTTP (mailTo).
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125)
const smtpHttpPort = Number(process.env.E2E_SMTP_HTTP_PORT ?? smtpPort + 1)
// Tests that reach into the server's database (to age an invitation, say) need one the test can open too: with
// the server's in-memory PGlite they are left out of the run, not skipped (the runner allows no skip here).
// The OpenID Connect provider the app signs people in with (tests/e2e/oidc-provider.mjs): its button, "Continue with
// Test SSO", is on the sign-in and sign-up pages in every spec, named so no spec's "Sign in" or "Create account" matches it.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 90)
const postgresOnly = database.startsWith('memory://') ? [/\(PostgreSQL only\b/] : []
// The local Stripe stand-in (scripts/stripe-standin.ts): the app's Stripe, so billing runs end to end with no network.
// Its Checkout and portal pages are the app's simulator pages (/dev/stripe/…).
const stripePort = Number(process.env.E2E_STRIPE_PORT ?? port + 120)

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
    { name: 'javascript', use: { javaScriptEnabled: true }, grepInvert: postgresOnly },
    // The forms must work as plain HTML posts; specs tagged @needs-js (clipboard, CSP hydration) are left out here.
    { name: 'no-javascript', use: { javaScriptEnabled: false }, grepInvert: [/@needs-js/, ...postgresOnly] },
  ],
  webServer: [
    {
      command: 'exec node tests/e2e/smtp-sink.mjs',
      url: `http://127.0.0.1:${smtpHttpPort}/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { E2E_SMTP_PORT: String(smtpPort), E2E_SMTP_HTTP_PORT: String(smtpHttpPort) },
    },
    {
      command: 'exec node tests/e2e/oidc-provider.mjs',
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { E2E_OIDC_PORT: String(oidcPort) },
    },
    {
      command: 'exec node --import tsx scripts/stripe-standin.ts',
      // Any request without a key answers 401, which Playwright takes for "up".
      url: `http://127.0.0.1:${stripePort}/v1/customers`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { STRIPE_STANDIN_PORT: String(stripePort), APP_URL: baseURL },
    },
    {
      command: `test -f .next/BUILD_ID || { echo '${noBuild}' >&2; exit 1; }; exec node server.js`,
      url: `${baseURL}/api/v1/openapi.json`,
      // Always this run's server from this build: a server left running from an older build would be tested instead.
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        // The specs send a per-test X-Forwarded-For to act as separate people: the test runner is the one trusted
        // proxy hop in front of the server.
        TRUST_PROXY: '1',
        DATABASE_URL: database,
        BETTER_AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
        APP_URL: baseURL,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        // Plain SMTP on loopback: the sink offers no STARTTLS, so nodemailer sends in the clear.
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        MAIL_FROM: 'Twofold <no-reply@twofold.test>',
        OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        OIDC_CLIENT_ID: 'twofold-e2e',
        OIDC_CLIENT_SECRET: 'e2e-oidc-client-secret',
        OIDC_NAME: 'Test SSO',
        STRIPE_SECRET_KEY: 'sk_test_e2e',
        STRIPE_WEBHOOK_SECRET: 'whsec_e2e',
        STRIPE_PRICE_PRO: 'price_pro_e2e',
        STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
      },
    },
  ],
})
