// The Stripe stand-in, driven through the official SDK over real HTTP: the calls the app makes answer as Stripe's
// would (shapes, errors, idempotency), so the billing code can be tested and demonstrated with no network.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseForm, type StripeStandIn, signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { apiOrigin, createStripeClient, STRIPE_API_VERSION } from '../../src/server/billing/stripe-client'
import { parseConfig } from '../../src/server/config'

let standIn: StripeStandIn
let stripe: Stripe

beforeAll(async () => {
  standIn = await startStripeStandIn()
  const client = createStripeClient(
    { secretKey: 'sk_test_standin', webhookSecret: 'whsec_test', pricePro: 'price_pro', apiUrl: standIn.url },
    { maxNetworkRetries: 0 },
  )
  if (!client) throw new Error('expected a client')
  stripe = client
})
afterAll(() => standIn.close())

describe('the Stripe client factory', () => {
  test('without STRIPE_SECRET_KEY there is no client, and the configuration says billing is not configured', () => {
    expect(parseConfig({}).stripe).toBeNull()
    expect(createStripeClient(null)).toBeNull()
  })

  test('the API version is the one the SDK is pinned to, sent on every request', async () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION)
    const customer = await stripe.customers.create({ name: 'Acme' })
    expect(customer.lastResponse.headers['stripe-version']).toBe(STRIPE_API_VERSION)
  })

  test('configuration: the keys together, a stand-in origin only with a test key', () => {
    expect(parseConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', STRIPE_PRICE_PRO: 'price_1' }).stripe).toEqual({
      secretKey: 'sk_test_1',
      webhookSecret: 'whsec_1',
      pricePro: 'price_1',
      apiUrl: null,
    })
    expect(() => parseConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_1' })).toThrow(/STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET/)
    expect(() => parseConfig({ STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_API_URL: 'http://127.0.0.1:1' })).toThrow(
      /STRIPE_API_URL: not with a live key/,
    )
    expect(apiOrigin('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' })
  })
})

describe('the stand-in, through the SDK', () => {
  test('customers: create with metadata, retrieve; an unknown id is resource_missing (404)', async () => {
    const created = await stripe.customers.create({ name: 'Acme', metadata: { workspace_id: 'ws-1' } })
    expect(created).toMatchObject({ object: 'customer', name: 'Acme', metadata: { workspace_id: 'ws-1' } })
    expect(created.id).toMatch(/^cus_/)
    const read = await stripe.customers.retrieve(created.id)
    expect(read).toMatchObject({ id: created.id, metadata: { workspace_id: 'ws-1' } })
    const error = await stripe.customers.retrieve('cus_nope').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such customer: 'cus_nope'" })
  })

  test('checkout sessions: the parameters the SDK form-encodes arrive whole, and the session can be read back', async () => {
    const customer = await stripe.customers.create({})
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: 'ws-1',
      line_items: [{ price: 'price_pro', quantity: 1 }],
      success_url: 'http://app.test/ok',
      cancel_url: 'http://app.test/cancel',
      metadata: { workspace_id: 'ws-1' },
    })
    expect(session).toMatchObject({ object: 'checkout.session', status: 'open', client_reference_id: 'ws-1', customer: customer.id })
    expect(session.url).toBe(`${standIn.url}/checkout/${session.id}`)
    expect(standIn.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      params: { mode: 'subscription', line_items: [{ price: 'price_pro', quantity: '1' }], metadata: { workspace_id: 'ws-1' } },
    })
    expect((await stripe.checkout.sessions.retrieve(session.id)).id).toBe(session.id)
  })

  test('billing portal sessions need an existing customer', async () => {
    const customer = await stripe.customers.create({})
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://app.test/back' })
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'http://app.test/back' })
    await expect(stripe.billingPortal.sessions.create({ customer: 'cus_nope' })).rejects.toMatchObject({ code: 'resource_missing' })
  })

  test('subscriptions: create, retrieve, update, cancel; the period lives on the item, as in this API version', async () => {
    const customer = await stripe.customers.create({})
    const created = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_pro' }] })
    expect(created).toMatchObject({ status: 'active', cancel_at_period_end: false, customer: customer.id })
    expect(created.items.data[0]?.price.id).toBe('price_pro')
    expect(created.items.data[0]?.current_period_end).toBeGreaterThan(created.created)
    await stripe.subscriptions.update(created.id, { cancel_at_period_end: true })
    expect((await stripe.subscriptions.retrieve(created.id)).cancel_at_period_end).toBe(true)
    standIn.setSubscriptionStatus(created.id, 'past_due')
    expect((await stripe.subscriptions.retrieve(created.id)).status).toBe('past_due')
    const canceled = await stripe.subscriptions.cancel(created.id)
    expect(canceled.status).toBe('canceled')
  })

  test('Idempotency-Key: the same key answers the same object; other parameters under it are an idempotency_error', async () => {
    const first = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'key-1' })
    const again = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'key-1' })
    expect(again.id).toBe(first.id)
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect([...standIn.customers.values()].filter((c) => c.name === 'Once')).toHaveLength(1)
    await expect(stripe.customers.create({ name: 'Other' }, { idempotencyKey: 'key-1' })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
    })
  })

  test('a wrong API key is refused (401) and told failures answer 500 api_error', async () => {
    const other = new Stripe('sk_test_other', { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, ...apiOrigin(standIn.url) })
    const strict = await startStripeStandIn({ secretKey: 'sk_test_right' })
    try {
      const refused = new Stripe('sk_test_wrong', { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, ...apiOrigin(strict.url) })
      await expect(refused.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    } finally {
      await strict.close()
    }
    standIn.failNext('POST', '/v1/customers')
    await expect(other.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError)
    await expect(other.customers.create({})).resolves.toMatchObject({ object: 'customer' })
  })

  test('signed events verify with the SDK, and only with the same secret', () => {
    const signed = signEvent('whsec_a', 'customer.subscription.updated', { id: 'sub_1', object: 'subscription' })
    const event = Stripe.webhooks.constructEvent(signed.payload, signed.signature, 'whsec_a')
    expect(event).toMatchObject({ id: signed.event.id, type: 'customer.subscription.updated', data: { object: { id: 'sub_1' } } })
    expect(() => Stripe.webhooks.constructEvent(signed.payload, signed.signature, 'whsec_b')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )
  })

  test('form decoding: nested objects, indexed and appended arrays', () => {
    expect(parseForm('a[b]=1&items[0][price]=p&items[1][price]=q&expand[]=x&expand[]=y&plain=z')).toEqual({
      a: { b: '1' },
      items: [{ price: 'p' }, { price: 'q' }],
      expand: ['x', 'y'],
      plain: 'z',
    })
  })
})

// Stripe's hosted pages, served by the stand-in on its own origin (never by the app): what a browser does there, and the
// signed events that reach a real webhook receiver over HTTP.
describe('the hosted Checkout and customer portal pages', () => {
  const secret = 'whsec_hosted'
  let receiver: Server
  let hosted: StripeStandIn
  let client: Stripe
  let webhookStatus = 200
  const received: Stripe.Event[] = []

  beforeAll(async () => {
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      // Only what verifies with the shared secret counts as delivered, as in the app's webhook.
      received.push(Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(req.headers['stripe-signature']), secret))
      res.writeHead(webhookStatus).end()
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/webhooks/stripe`
    hosted = await startStripeStandIn({ webhook: { url: webhookUrl, secret } })
    const made = createStripeClient(
      { secretKey: 'sk_test_hosted', webhookSecret: secret, pricePro: 'price_pro', apiUrl: hosted.url },
      { maxNetworkRetries: 0 },
    )
    if (!made) throw new Error('expected a client')
    client = made
  })
  afterAll(async () => {
    await hosted.close()
    await new Promise((resolve) => receiver.close(resolve))
  })

  async function openCheckout() {
    const customer = await client.customers.create({ name: 'Acme <Ltd>' })
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: 'ws-1',
      line_items: [{ price: 'price_pro', quantity: 1 }],
      subscription_data: { metadata: { workspace_id: 'ws-1' } },
      success_url: 'http://app.test/w/acme/settings/billing?checkout=success',
      cancel_url: 'http://app.test/w/acme/settings/billing?checkout=canceled',
    })
    return { customer, session }
  }
  const post = (url: string, form: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' })

  test('Pay creates the subscription, completes the session, delivers the signed event and sends the browser to success_url', async () => {
    const { customer, session } = await openCheckout()
    const url = session.url ?? ''
    expect(url).toBe(`${hosted.url}/checkout/${session.id}`)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('Twofold Pro for Acme &#60;Ltd&#62;')
    expect(html).toContain('<button type="submit">Pay</button>')
    expect(received).toHaveLength(0)

    const paid = await post(url)
    expect(paid.status).toBe(303)
    expect(paid.headers.get('location')).toBe('http://app.test/w/acme/settings/billing?checkout=success')
    const completed = await client.checkout.sessions.retrieve(session.id)
    expect(completed).toMatchObject({ status: 'complete', payment_status: 'paid', subscription: expect.stringMatching(/^sub_/) })
    const subscription = await client.subscriptions.retrieve(String(completed.subscription))
    expect(subscription).toMatchObject({ customer: customer.id, status: 'active', metadata: { workspace_id: 'ws-1' } })
    expect(subscription.items.data[0]?.price.id).toBe('price_pro')
    expect(received.map((event) => [event.type, (event.data.object as { id: string }).id])).toEqual([
      ['checkout.session.completed', session.id],
    ])

    // Paid once: a second Pay is refused and delivers nothing.
    expect((await post(url)).status).toBe(409)
    expect(received).toHaveLength(1)
  })

  test('the portal: a failed renewal, a paid retry and a cancellation, each delivered signed, each back to return_url', async () => {
    received.length = 0
    const { customer, session } = await openCheckout()
    await post(session.url ?? '')
    const subscription = String((await client.checkout.sessions.retrieve(session.id)).subscription)
    const portal = await client.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://app.test/w/acme/settings/billing',
    })
    expect(portal.url).toBe(`${hosted.url}/portal/${portal.id}`)
    expect(await (await fetch(portal.url)).text()).toContain('Simulate a failed payment')

    for (const [event, status] of [
      ['fail', 'past_due'],
      ['pay', 'active'],
      ['cancel', 'canceled'],
    ] as const) {
      const answer = await post(portal.url, { event })
      expect(answer.status).toBe(303)
      expect(answer.headers.get('location')).toBe('http://app.test/w/acme/settings/billing')
      expect(hosted.subscriptions.get(subscription)?.status).toBe(status)
    }
    expect(received.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'invoice.payment_failed',
      'invoice.paid',
      'customer.subscription.deleted',
    ])
    expect(await (await fetch(portal.url)).text()).toContain('No live subscription.')
    expect((await post(portal.url, { event: 'pay' })).status).toBe(400)
  })

  test('a webhook that refuses the event is said plainly (502), and the browser is not sent back as if paid', async () => {
    const { session } = await openCheckout()
    webhookStatus = 400
    try {
      const answer = await post(session.url ?? '')
      expect(answer.status).toBe(502)
      expect(await answer.text()).toContain('The app’s webhook answered 400 to checkout.session.completed')
    } finally {
      webhookStatus = 200
    }
  })

  test('unknown sessions are 404; a stand-in with no webhook has no hosted pages at all', async () => {
    expect((await fetch(`${hosted.url}/checkout/cs_test_nope`)).status).toBe(404)
    expect((await fetch(`${hosted.url}/portal/bps_nope`)).status).toBe(404)
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', success_url: 'http://app.test/ok' })
    const page = await post(`${standIn.url}/checkout/${session.id}`)
    expect(page.status).toBe(404)
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open')
  })
})
