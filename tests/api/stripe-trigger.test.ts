// The development route behind `npm run stripe:trigger` (route.dev.ts: only `next dev` builds it): through the real
// route module, it asks the Stripe stand-in to change the subscription as Stripe would, and the stand-in delivers the
// signed event over real HTTP to the real webhook route; the billing worker's apply step then stores what the stand-in
// says. The story: upgrade, payment fails, paid, canceled. That production has no such route is tests/http/dev-tools.test.ts.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { POST as trigger } from '../../src/app/api/dev/stripe/trigger/route.dev'
import { POST as webhook } from '../../src/app/api/webhooks/stripe/route'
import { type StripeStandIn, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createAuth } from '../../src/server/auth/auth'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import { type Config, parseConfig } from '../../src/server/config'
import type { Database } from '../../src/server/db/client'
import { workspaceBilling, workspaces } from '../../src/server/db/schema'
import { setRuntimeForTests } from '../../src/server/runtime'
import { applyDueStripeEvents } from '../../src/server/services/billing'
import { captureLogger } from '../support/api'
import { createTestDatabase, createUser, personalWorkspace } from '../support/db'

let database: Database
let standIn: StripeStandIn
let app: Server
let config: Config

beforeAll(async () => {
  database = await createTestDatabase()
  // The app's webhook over real HTTP: the stand-in delivers to APP_URL as Stripe would.
  app = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value)
    const response = await webhook(new Request(`http://app.test${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
  standIn = await startStripeStandIn({ webhook: { url: `${appUrl}/api/webhooks/stripe`, secret: 'whsec_sim' } })
  config = parseConfig({
    NODE_ENV: 'development',
    APP_URL: appUrl,
    STRIPE_SECRET_KEY: 'sk_test_sim',
    STRIPE_WEBHOOK_SECRET: 'whsec_sim',
    STRIPE_PRICE_PRO: 'price_pro',
    STRIPE_API_URL: standIn.url,
  })
  setRuntimeForTests({ config, database, auth: createAuth(database.db, config) })
})
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve))
  await standIn.close()
  await database.close()
})

const send = (body: unknown) =>
  trigger(
    new Request('http://app.test/api/dev/stripe/trigger', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )

async function applyAll() {
  const stripe = createStripeClient(config.stripe, { maxNetworkRetries: 0 })
  if (!stripe) throw new Error('no client')
  await applyDueStripeEvents({ db: database.db, stripe, now: () => new Date(), log: captureLogger([]) })
}

describe('npm run stripe:trigger (development, against the stand-in)', () => {
  test('upgrade → payment failed → paid → canceled, each stored as the stand-in has it', async () => {
    const userId = await createUser(database)
    const slug = personalWorkspace(userId)
    const [workspace] = await database.db.select().from(workspaces).where(eq(workspaces.slug, slug))
    const state = async () => {
      await applyAll()
      const [row] = await database.db
        .select()
        .from(workspaceBilling)
        .where(eq(workspaceBilling.workspaceId, workspace?.id ?? ''))
      return row?.status
    }

    const upgraded = await send({ event: 'checkout.session.completed', workspace: slug })
    expect(upgraded.status).toBe(200)
    expect(await upgraded.json()).toMatchObject({ event: 'checkout.session.completed', webhookStatus: 200 })
    expect(await state()).toBe('active')
    expect(standIn.requests.find((r) => r.path === '/v1/checkout/sessions')?.params).toMatchObject({
      mode: 'subscription',
      client_reference_id: workspace?.id,
      line_items: [{ price: 'price_pro', quantity: '1' }],
    })

    expect((await send({ event: 'invoice.payment_failed', workspace: slug })).status).toBe(200)
    expect(await state()).toBe('past_due')
    expect((await send({ event: 'invoice.paid', workspace: slug })).status).toBe(200)
    expect(await state()).toBe('active')
    expect((await send({ event: 'customer.subscription.deleted', workspace: slug })).status).toBe(200)
    expect(await state()).toBe('canceled')
  })

  test('an unknown workspace is 404, an unknown event 422, and before any checkout a subscription event is 400', async () => {
    expect(await (await send({ event: 'invoice.paid', workspace: 'nobody-here' })).json()).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect(await (await send({ event: 'charge.refunded', workspace: 'x' })).json()).toMatchObject({
      status: 422,
      errors: { event: expect.any(Array) },
    })
    const slug = personalWorkspace(await createUser(database))
    expect(await (await send({ event: 'invoice.paid', workspace: slug })).json()).toMatchObject({
      status: 400,
      detail: `${slug} has no subscription yet: trigger checkout.session.completed first.`,
    })
  })
})
