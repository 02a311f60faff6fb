// The browser suite: Chromium (CHROMIUM_PATH, else Playwright's own, else a system one: scripts/test-prerequisites.mjs)
// against the production server (`node server.js`) from the existing build, with JavaScript on and, for the form specs, off. It never builds: `npm test` builds once for every suite, and
// `npx playwright test` alone fails at once, saying so, when there is no build.
// The server's database: E2E_DATABASE_URL (npm test makes a fresh PostgreSQL database per run and drops it), else
// DATABASE_URL=postgres://… as given (the suite's accounts stay in it), else in-memory PGlite.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { defineConfig } from '@playwright/test'
import { E2E_PORT_VARIABLES } from './scripts/free-ports.mjs'
import { findChromium } from './scripts/test-prerequisites.mjs'

// Every server below listens on a port the OS hands out (E2E_PORT, E2E_SMTP_PORT, E2E_SMTP_HTTP_PORT, E2E_OIDC_PORT,
// E2E_STRIPE_PORT override them), so two runs on one machine do not clash. They are put in process.env here, in the
// runner's process, before it starts its workers: the workers inherit them, and load this file again with the same ports.
Object.assign(
  process.env,
  JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(new URL('./scripts/free-ports.mjs', import.meta.url)), ...E2E_PORT_VARIABLES], {
      encoding: 'utf8',
    }),
  ),
)
const port = Number(process.env.E2E_PORT)
const baseURL = `http://127.0.0.1:${port}`
const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined
const database = process.env.E2E_DATABASE_URL || postgres || 'memory://'
const noBuild = 'No production build in .next: run `npx next build` first (npm test does).'
// The app sends its mail through real SMTP to tests/e2e/smtp-sink.mjs; the specs read it back over HTTP (mailTo).
const smtpPort = Number(process.env.E2E_SMTP_PORT)
const smtpHttpPort = Number(process.env.E2E_SMTP_HTTP_PORT)
// Tests that reach into the server's database (to age an invitation, say) need one the test can open too: with
// the server's in-memory PGlite they are left out of the run, not skipped (the runner allows no skip here).
// The OpenID Connect provider the app signs people in with (tests/e2e/oidc-provider.mjs): its button, "Continue with
// Test SSO", is on the sign-in and sign-up pages in every spec, named so no spec's "Sign in" or "Create account" matches it.
const oidcPort = Number(process.env.E2E_OIDC_PORT)
const postgresOnly = database.startsWith('memory://') ? [/\(PostgreSQL only\b/] : []
// The local Stripe stand-in (scripts/stripe-standin.ts): the app's Stripe, so billing runs end to end with no network.
// Like Stripe, it serves the Checkout and portal pages on its own origin and delivers signed events to the app's webhook;
// the production build has no page that plays Stripe's part.
const stripePort = Number(process.env.E2E_STRIPE_PORT)
const stripeWebhookSecret = 'whsec_e2e'

const chromium = findChromium()
if (!chromium.ok) throw new Error(chromium.problem)
const launchOptions = {
  // Playwright's own browser needs no path; CHROMIUM_PATH or a system Chromium does.
  executablePath: chromium.executablePath ?? undefined,
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
      env: { STRIPE_STANDIN_PORT: String(stripePort), APP_URL: baseURL, STRIPE_WEBHOOK_SECRET: stripeWebhookSecret },
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
        STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
        STRIPE_PRICE_PRO: 'price_pro_e2e',
        STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
        // A production server refuses STRIPE_API_URL without this (src/server/config.ts): the suite opts in.
        STRIPE_STANDIN_IN_PRODUCTION: 'true',
      },
    },
  ],
})
