// Development tools in the production build (DESIGN.md: gated by the build, not by the environment). A production
// server given every variable that turns a tool on in development (the Stripe stand-in's, with the opt-in the test
// suites use, and no SMTP_URL, which in development means the dev mailbox) serves none of them: every dev path, listed
// from the source tree, is Next's 404 for GET and POST; and a checkout that Upgrade opens can be completed only on the
// stand-in's own page (Stripe's, in production), never through the app, so the workspace stays Free. Without the
// opt-in, STRIPE_API_URL stops a production server from starting at all.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StripeStandIn, startStripeStandIn } from '../../src/dev/stripe/standin'
import { signUpThroughForm } from '../support/forms'
import { type RunningServer, startServer } from '../support/server'

const APP = path.resolve(import.meta.dirname, '../../src/app')

/**
 * Every path a development tool answers, from the source tree: the routes that only `next dev` builds (page.dev.tsx,
 * route.dev.ts), and any page or route under a dev/ folder. `[param]` segments become `{param}`, to be filled in.
 */
function devRoutePaths(dir = APP): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return devRoutePaths(full)
    const match = /^(page|route)\.(dev\.)?(tsx|ts|jsx|js)$/.exec(entry.name)
    if (!match) return []
    const segments = path
      .relative(APP, dir)
      .split(path.sep)
      .filter((segment) => segment !== '' && !/^\(.*\)$/.test(segment))
    if (!match[2] && !segments.includes('dev')) return []
    return [`/${segments.map((segment) => segment.replace(/^\[(.+)\]$/, '{$1}')).join('/')}`]
  })
}

const DEV_PATHS = devRoutePaths()
const fill = (template: string, value: string) => template.replace(/\{[^}]+\}/g, encodeURIComponent(value))

const STAND_IN_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_devtools',
  STRIPE_WEBHOOK_SECRET: 'whsec_devtools',
  STRIPE_PRICE_PRO: 'price_pro_devtools',
  STRIPE_STANDIN_IN_PRODUCTION: 'true',
  SMTP_URL: undefined,
}

let standIn: StripeStandIn
let server: RunningServer
beforeAll(async () => {
  standIn = await startStripeStandIn()
  server = await startServer({ env: { ...STAND_IN_ENV, STRIPE_API_URL: standIn.url } })
})
afterAll(async () => {
  await server?.stop()
  await standIn?.close()
})

describe('a production server with every stand-in variable set', () => {
  it('the source tree has the dev tools this suite asks for', () => {
    expect(DEV_PATHS).toEqual(expect.arrayContaining(['/dev/mailbox', '/api/dev/mailbox/{id}', '/api/dev/stripe/trigger']))
  })

  it.each(DEV_PATHS.flatMap((template) => ['GET', 'POST'].map((method) => [method, template])))(
    '%s %s is 404',
    async (method, template) => {
      const response = await fetch(`${server.url}${fill(template, crypto.randomUUID())}`, {
        method,
        headers: method === 'POST' ? { 'Content-Type': 'application/json', Origin: server.url } : {},
        body: method === 'POST' ? JSON.stringify({ event: 'checkout.session.completed', workspace: 'anyone' }) : undefined,
      })
      expect(response.status).toBe(404)
      const body = await response.text()
      expect(body).not.toContain('Dev mailbox')
      expect(body).not.toContain('simulated')
    },
  )

  it('a checkout that Upgrade opens is on the stand-in’s origin, no app path completes it, and the workspace stays Free', async () => {
    const person = await signUp(server)
    const billingPage = `/w/${person.slug}/settings/billing`
    const upgrade = await submitForm(server, billingPage, 'attempt', {}, person.cookie)
    expect(upgrade.status).toBe(303)
    const checkout = new URL(upgrade.headers.get('location') ?? '')
    // Checkout belongs to Stripe's origin (here the stand-in's), as in production: the app has no page for it.
    expect(checkout.origin).toBe(standIn.url)
    const sessionId = checkout.pathname.split('/').at(-1) ?? ''
    expect(standIn.checkoutSessions.get(sessionId)).toMatchObject({ status: 'open' })

    // Every dev path, and where the simulator's Checkout and portal used to be, asked as the workspace's owner.
    const customer = String(standIn.checkoutSessions.get(sessionId)?.customer)
    const attempts = [
      ...DEV_PATHS.map((template) => fill(template, sessionId)),
      `/dev/stripe/checkout/${sessionId}`,
      `/dev/stripe/portal/${customer}`,
    ]
    for (const attempt of attempts) {
      for (const method of ['GET', 'POST']) {
        const response = await fetch(`${server.url}${attempt}`, {
          method,
          headers: { Cookie: person.cookie, Origin: server.url, ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
          body:
            method === 'POST'
              ? JSON.stringify({ event: 'checkout.session.completed', workspace: person.slug, session: sessionId })
              : undefined,
          redirect: 'manual',
        })
        expect(`${method} ${attempt} ${response.status}`).toBe(`${method} ${attempt} 404`)
      }
    }

    expect(standIn.checkoutSessions.get(sessionId)).toMatchObject({ status: 'open', subscription: null })
    expect(standIn.subscriptions.size).toBe(0)
    const html = await (await fetch(`${server.url}${billingPage}`, { headers: { Cookie: person.cookie } })).text()
    expect(html).toContain('data-testid="plan-name">Free<')
  })
})

describe('STRIPE_API_URL in production without the opt-in', () => {
  it('stops the server at start (exit 1), saying why and what would allow it', async () => {
    const refused = await startServer({
      env: { ...STAND_IN_ENV, STRIPE_STANDIN_IN_PRODUCTION: undefined, STRIPE_API_URL: standIn.url },
      waitUntilListening: false,
    })
    try {
      const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000).unref())
      expect(await Promise.race([refused.exited, stillRunning])).toBe(1)
      expect(refused.output()).toContain('STRIPE_API_URL: not in production')
      expect(refused.output()).toContain('STRIPE_STANDIN_IN_PRODUCTION=true')
    } finally {
      await refused.stop('SIGKILL')
    }
  })
})

/** The hidden fields React renders into a form so that it works without JavaScript (the action id, its state). */
function hiddenFields(html: string): [string, string][] {
  const decodeEntities = (value: string) => value.replaceAll('&quot;', '"').replaceAll('&#x27;', "'").replaceAll('&amp;', '&')
  return [...html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g)].map((match) => [
    match[1] ?? '',
    decodeEntities(match[2] ?? ''),
  ])
}

/**
 * Posts the form on `page` that has a field named `field` as a browser without JavaScript would, with `fields` filled
 * in (a page can have several forms: the header's sign-out, say).
 */
async function submitForm(
  server: RunningServer,
  page: string,
  field: string,
  fields: Record<string, string>,
  cookie = '',
): Promise<Response> {
  const html = await (await fetch(`${server.url}${page}`, { headers: { Cookie: cookie } })).text()
  const chosen = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((match) => match[0]).find((form) => form.includes(`name="${field}"`))
  if (!chosen) throw new Error(`no form with a field ${field} on ${page}`)
  const form = new FormData()
  for (const [name, value] of hiddenFields(chosen)) if (!(name in fields)) form.append(name, value)
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return fetch(`${server.url}${page}`, { method: 'POST', body: form, headers: { Origin: server.url, Cookie: cookie }, redirect: 'manual' })
}

/** A new account, signed up through the form: its session cookie and its workspace. */
async function signUp(server: RunningServer): Promise<{ cookie: string; slug: string }> {
  const { cookie } = await signUpThroughForm(server, 'Owner')
  const dashboard = await fetch(`${server.url}/dashboard`, { headers: { Cookie: cookie }, redirect: 'manual' })
  const slug = /^\/w\/([^/]+)$/.exec(new URL(dashboard.headers.get('location') ?? '', server.url).pathname)?.[1]
  if (!slug) throw new Error(`no workspace after sign-up: ${dashboard.status} ${dashboard.headers.get('location')}`)
  return { cookie, slug }
}
