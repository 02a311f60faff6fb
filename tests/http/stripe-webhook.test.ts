// The Stripe webhook in the production server over real HTTP: signed events from the stand-in's helper, the billing
// worker started by the runtime and woken by the delivery, reading the subscription from the stand-in.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverEvent, type StripeStandIn, signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { apiOrigin, STRIPE_API_VERSION } from '../../src/server/billing/stripe-client'
import { isPostgresRun } from '../support/postgres'
import { type RunningServer, startServer } from '../support/server'

const SECRET = 'whsec_http_suite'

describe('production with Stripe configured', () => {
  let server: RunningServer
  let standIn: StripeStandIn
  let stripe: Stripe
  beforeAll(async () => {
    standIn = await startStripeStandIn()
    stripe = new Stripe('sk_test_http', { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, ...apiOrigin(standIn.url) })
    server = await startServer({
      env: {
        STRIPE_SECRET_KEY: 'sk_test_http',
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_PRICE_PRO: 'price_pro',
        STRIPE_API_URL: standIn.url,
        // A production server refuses STRIPE_API_URL without the opt-in (src/server/config.ts).
        STRIPE_STANDIN_IN_PRODUCTION: 'true',
      },
    })
  })
  afterAll(async () => {
    await server?.stop('SIGKILL')
    await standIn?.close()
  })

  const webhook = () => `${server.url}/api/webhooks/stripe`

  it('starts the billing worker; refuses a bad signature (400 problem+json); records a signed event once', async () => {
    await expect.poll(() => server.output(), { timeout: 30_000 }).toContain('"message":"billing worker started"')
    const signed = signEvent(SECRET, 'charge.refunded', { id: 'ch_http', object: 'charge' })

    const forged = await deliverEvent(webhook(), { ...signed, signature: signEvent('whsec_other', 'charge.refunded', {}).signature })
    expect(forged.status).toBe(400)
    expect(forged.headers.get('content-type')).toBe('application/problem+json')

    const first = await deliverEvent(webhook(), signed)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ received: true, duplicate: false })
    expect(await (await deliverEvent(webhook(), signed)).json()).toEqual({ received: true, duplicate: true })
  })

  it.skipIf(!isPostgresRun())(
    'a completed checkout is applied by the worker at once: the workspace is Pro (PostgreSQL only: reads the server’s database)',
    async () => {
      const client = new pg.Client({ connectionString: server.databaseUrl })
      await client.connect()
      try {
        const workspaceId = randomUUID()
        await client.query(`insert into workspaces (id, name, slug) values ($1, 'HTTP', $2)`, [
          workspaceId,
          `http-${workspaceId.slice(0, 8)}`,
        ])
        const customer = await stripe.customers.create({ metadata: { workspace_id: workspaceId } })
        const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_pro' }] })
        const signed = signEvent(SECRET, 'checkout.session.completed', {
          id: 'cs_test_http',
          object: 'checkout.session',
          mode: 'subscription',
          client_reference_id: workspaceId,
          customer: customer.id,
          subscription: subscription.id,
        })
        expect((await deliverEvent(webhook(), signed)).status).toBe(200)
        // Nudged by the delivery: well within the worker's 5 s tick.
        await expect
          .poll(
            async () =>
              (await client.query('select status, stripe_customer_id from workspace_billing where workspace_id = $1', [workspaceId]))
                .rows[0],
            { timeout: 4_000 },
          )
          .toEqual({ status: 'active', stripe_customer_id: customer.id })
      } finally {
        await client.end()
      }
    },
  )
})
