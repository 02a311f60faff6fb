// POST /api/webhooks/stripe through the real route module, with events signed as Stripe signs them, and the billing
// worker's apply step reading subscriptions from the Stripe stand-in over real HTTP through the SDK. Every case
// asserts the database afterwards: what was recorded, what was applied, and the workspace's billing row.
import { eq, sql } from 'drizzle-orm'
import type Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { POST } from '../../src/app/api/webhooks/stripe/route'
import { type StandInSubscription, type StripeStandIn, signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createAuth } from '../../src/server/auth/auth'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import { handleStripeWebhook } from '../../src/server/billing/webhook'
import { parseConfig } from '../../src/server/config'
import type { Database } from '../../src/server/db/client'
import { stripeEvents, workspaceBilling, workspaces } from '../../src/server/db/schema'
import { setRuntimeForTests } from '../../src/server/runtime'
import { APPLY_RETRY_DELAYS_MS, applyDueStripeEvents, type BillingDeps, ensureStripeCustomer } from '../../src/server/services/billing'
import { captureLogger, type LogLine } from '../support/api'
import { createTestDatabase, createUser, domainRows, personalWorkspace } from '../support/db'

const SECRET = 'whsec_test_secret'
let database: Database
let standIn: StripeStandIn
let stripe: Stripe
const logs: LogLine[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
  const config = parseConfig({ STRIPE_SECRET_KEY: 'sk_test_webhook', STRIPE_WEBHOOK_SECRET: SECRET, STRIPE_API_URL: standIn.url })
  // No retries inside the SDK: a failure the stand-in is told to make reaches the worker, as an outage would.
  const client = createStripeClient(config.stripe, { maxNetworkRetries: 0 })
  if (!client) throw new Error('expected a Stripe client')
  stripe = client
  setRuntimeForTests({ config, database, auth: createAuth(database.db, config) })
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})

function deps(now: () => Date = () => new Date()): BillingDeps {
  return { db: database.db, stripe, now, log: captureLogger(logs) }
}

function deliver(signed: { payload: string; signature?: string | null }): Promise<Response> {
  const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8' })
  if (signed.signature) headers.set('Stripe-Signature', signed.signature)
  return POST(new Request('http://app.test/api/webhooks/stripe', { method: 'POST', headers, body: signed.payload }))
}

/** A workspace with a Stripe customer (made as the upgrade will make it) and, in the stand-in, a Pro subscription. */
async function subscribedWorkspace() {
  const userId = await createUser(database)
  const [workspace] = await database.db
    .select()
    .from(workspaces)
    .where(eq(workspaces.slug, personalWorkspace(userId)))
  if (!workspace) throw new Error('no personal workspace')
  const customerId = await ensureStripeCustomer(deps(), workspace)
  const subscription = await stripe.subscriptions.create({ customer: customerId, items: [{ price: 'price_pro' }] })
  return { workspaceId: workspace.id, customerId, subscription: standIn.subscriptions.get(subscription.id) as StandInSubscription }
}

async function billingOf(workspaceId: string) {
  const [row] = await database.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspaceId))
  return row
}

async function eventRow(id: string) {
  const [row] = await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, id))
  return row
}

const retrievals = (subscriptionId: string) =>
  standIn.requests.filter((r) => r.method === 'GET' && r.path === `/v1/subscriptions/${subscriptionId}`).length

const checkoutCompleted = (workspaceId: string, customerId: string, subscriptionId: string) => ({
  id: `cs_test_${subscriptionId}`,
  object: 'checkout.session',
  mode: 'subscription',
  status: 'complete',
  client_reference_id: workspaceId,
  customer: customerId,
  subscription: subscriptionId,
})

describe('POST /api/webhooks/stripe: only what Stripe signed is recorded', () => {
  test('a valid event is recorded (200) and applied by the worker: the workspace is linked and Pro', async () => {
    const { workspaceId, customerId, subscription } = await subscribedWorkspace()
    const signed = signEvent(SECRET, 'checkout.session.completed', checkoutCompleted(workspaceId, customerId, subscription.id))

    const response = await deliver(signed)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: true, duplicate: false })
    // Recorded, not applied: applying is off the request path.
    expect(await eventRow(signed.event.id)).toMatchObject({ type: 'checkout.session.completed', appliedAt: null, attempts: 0 })
    expect((await billingOf(workspaceId))?.stripeSubscriptionId).toBeNull()

    expect(await applyDueStripeEvents(deps())).toEqual({ applied: 1, retrying: 0 })
    expect(await billingOf(workspaceId)).toMatchObject({
      stripeCustomerId: customerId,
      stripeSubscriptionId: subscription.id,
      status: 'active',
      priceId: 'price_pro',
      cancelAtPeriodEnd: false,
      currentPeriodEnd: new Date((subscription.items.data[0]?.current_period_end as number) * 1000),
    })
    expect(await eventRow(signed.event.id)).toMatchObject({ attempts: 1, lastError: null, appliedAt: expect.any(Date) })
  })

  const now = () => Math.floor(Date.now() / 1000)
  const object = { id: 'sub_refused', object: 'subscription', customer: 'cus_refused' }
  const valid = () => signEvent(SECRET, 'customer.subscription.updated', object)
  test.each<[string, () => { payload: string; signature: string | null }]>([
    ['no Stripe-Signature header', () => ({ ...valid(), signature: null })],
    ['a malformed header', () => ({ ...valid(), signature: 'not-a-signature' })],
    ['a bad signature', () => ({ ...valid(), signature: `t=${now()},v1=${'0'.repeat(64)}` })],
    ['a signature made with another secret', () => signEvent('whsec_someone_else', 'customer.subscription.updated', object)],
    ['a body changed after signing', () => ({ ...valid(), payload: valid().payload.replace('cus_refused', 'cus_attacker') })],
    ['a signature older than 300 s', () => signEvent(SECRET, 'customer.subscription.updated', object, { timestamp: now() - 301 })],
    ['a signature an hour old', () => signEvent(SECRET, 'customer.subscription.updated', object, { timestamp: now() - 3600 })],
    // The SDK checks only age: a signature from the future would stay valid until its time came and 300 s more.
    [
      'a signature an hour ahead of our clock',
      () => signEvent(SECRET, 'customer.subscription.updated', object, { timestamp: now() + 3600 }),
    ],
    ['a signature 301 s ahead of our clock', () => signEvent(SECRET, 'customer.subscription.updated', object, { timestamp: now() + 301 })],
  ])('%s: 400 problem+json, nothing written', async (_, make) => {
    const before = await domainRows(database)
    const response = await deliver(make())
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      detail: expect.stringMatching(/Stripe-Signature header is missing|Stripe signature does not verify/),
    })
    expect(await domainRows(database)).toEqual(before)
  })

  test.each([
    ['200 s ahead of our clock (a sender whose clock runs a little fast)', 200],
    ['299 s old', -299],
  ])('a signature %s is accepted and recorded', async (_, skew) => {
    const signed = signEvent(SECRET, 'charge.refunded', { id: `ch_skew_${skew}`, object: 'charge' }, { timestamp: now() + skew })
    const response = await deliver(signed)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: true, duplicate: false })
    expect(await eventRow(signed.event.id)).toMatchObject({ type: 'charge.refunded' })
  })

  test('a body larger than any Stripe event (512 KiB) is 413 while streaming, nothing written', async () => {
    const before = await domainRows(database)
    const huge = signEvent(SECRET, 'customer.subscription.updated', { ...object, padding: 'x'.repeat(600 * 1024) })
    // Streamed without a Content-Length, so the cap is met while reading, not from the header.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge.payload))
        controller.close()
      },
    })
    const response = await POST(
      new Request('http://app.test/api/webhooks/stripe', {
        method: 'POST',
        headers: { 'Stripe-Signature': huge.signature },
        body,
        duplex: 'half',
      } as RequestInit),
    )
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ code: 'TOO_LARGE' })
    expect(await domainRows(database)).toEqual(before)
  })

  test('without STRIPE_WEBHOOK_SECRET every event is refused with 503 (Stripe keeps it), nothing written', async () => {
    const before = await domainRows(database)
    const signed = valid()
    const response = await handleStripeWebhook(
      new Request('http://app.test/api/webhooks/stripe', {
        method: 'POST',
        headers: { 'Stripe-Signature': signed.signature },
        body: signed.payload,
      }),
      { db: database.db, webhookSecret: null, log: captureLogger(logs), now: () => new Date() },
    )
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ code: 'UNAVAILABLE' })
    expect(await domainRows(database)).toEqual(before)
  })
})

describe('exactly once', () => {
  test('a duplicate delivery is acknowledged (200, duplicate) and applied once', async () => {
    const { workspaceId, customerId, subscription } = await subscribedWorkspace()
    const signed = signEvent(SECRET, 'checkout.session.completed', checkoutCompleted(workspaceId, customerId, subscription.id))
    expect(await (await deliver(signed)).json()).toEqual({ received: true, duplicate: false })
    expect(await (await deliver(signed)).json()).toEqual({ received: true, duplicate: true })
    await applyDueStripeEvents(deps())
    expect(await (await deliver(signed)).json()).toEqual({ received: true, duplicate: true })
    await applyDueStripeEvents(deps())
    expect(retrievals(subscription.id)).toBe(1)
    expect(await eventRow(signed.event.id)).toMatchObject({ attempts: 1, appliedAt: expect.any(Date) })
  })

  test('ten identical deliveries at the same moment: all 200, one recorded, applied once', async () => {
    const { workspaceId, customerId, subscription } = await subscribedWorkspace()
    const signed = signEvent(SECRET, 'checkout.session.completed', checkoutCompleted(workspaceId, customerId, subscription.id))
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(signed)))
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200))
    const bodies = await Promise.all(responses.map((r) => r.json()))
    expect(bodies.filter((b) => b.duplicate === false)).toHaveLength(1)
    expect(await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, signed.event.id))).toHaveLength(1)
    // Two workers at once, as two app instances would run them.
    await Promise.all([applyDueStripeEvents(deps()), applyDueStripeEvents(deps())])
    expect(retrievals(subscription.id)).toBe(1)
    expect(await billingOf(workspaceId)).toMatchObject({ stripeSubscriptionId: subscription.id, status: 'active' })
  })
})

describe('order never matters: the stored state is what Stripe says now', () => {
  test('`updated` delivered and applied before `created`: the later `created` does not undo it', async () => {
    const { workspaceId, subscription } = await subscribedWorkspace()
    // As Stripe sent them: created while the first payment was pending, updated once it went through.
    const created = signEvent(SECRET, 'customer.subscription.created', { ...subscription, status: 'incomplete' }, { created: now() - 5 })
    const updated = signEvent(SECRET, 'customer.subscription.updated', { ...subscription, status: 'active' }, { created: now() - 2 })
    expect((await deliver(updated)).status).toBe(200)
    await applyDueStripeEvents(deps())
    expect((await deliver(created)).status).toBe(200)
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ stripeSubscriptionId: subscription.id, status: 'active' })
    expect(await eventRow(created.event.id)).toMatchObject({ appliedAt: expect.any(Date) })
  })

  test('an older `updated` arriving after a newer one leaves the newer state', async () => {
    const { workspaceId, subscription } = await subscribedWorkspace()
    const older = signEvent(
      SECRET,
      'customer.subscription.updated',
      { ...subscription, cancel_at_period_end: false },
      { created: now() - 10 },
    )
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true })
    const newer = signEvent(SECRET, 'customer.subscription.updated', { ...subscription, cancel_at_period_end: true }, { created: now() })
    await deliver(newer)
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ cancelAtPeriodEnd: true })
    await deliver(older)
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ cancelAtPeriodEnd: true, status: 'active' })
  })

  test('invoice.payment_failed, invoice.paid and subscription.deleted each store the subscription as Stripe has it', async () => {
    const { workspaceId, customerId, subscription } = await subscribedWorkspace()
    const invoice = (id: string) => ({
      id,
      object: 'invoice',
      customer: customerId,
      parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id } },
    })
    standIn.setSubscriptionStatus(subscription.id, 'past_due')
    await deliver(signEvent(SECRET, 'invoice.payment_failed', invoice('in_failed')))
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ status: 'past_due' })

    standIn.setSubscriptionStatus(subscription.id, 'active')
    await deliver(signEvent(SECRET, 'invoice.paid', invoice('in_paid')))
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ status: 'active' })

    await stripe.subscriptions.cancel(subscription.id)
    await deliver(signEvent(SECRET, 'customer.subscription.deleted', { ...subscription, status: 'canceled' }))
    await applyDueStripeEvents(deps())
    expect(await billingOf(workspaceId)).toMatchObject({ status: 'canceled', stripeSubscriptionId: subscription.id })
  })

  test('an unknown event type is recorded, acknowledged and marked applied, changing nothing else', async () => {
    const signed = signEvent(SECRET, 'charge.refunded', { id: 'ch_1', object: 'charge' })
    const before = await database.db.select().from(workspaceBilling)
    expect((await deliver(signed)).status).toBe(200)
    await applyDueStripeEvents(deps())
    expect(await eventRow(signed.event.id)).toMatchObject({ type: 'charge.refunded', appliedAt: expect.any(Date), lastError: null })
    expect(await database.db.select().from(workspaceBilling)).toEqual(before)
  })
})

describe('failures', () => {
  test('a failure while applying is retried after the backoff, then applied once; nothing half-applied meanwhile', async () => {
    const { workspaceId, subscription } = await subscribedWorkspace()
    await deliver(signEvent(SECRET, 'customer.subscription.created', subscription))
    await applyDueStripeEvents(deps())
    standIn.setSubscriptionStatus(subscription.id, 'past_due')
    const signed = signEvent(SECRET, 'customer.subscription.updated', { ...subscription, status: 'past_due' })
    await deliver(signed)

    const t0 = new Date()
    standIn.failNext('GET', `/v1/subscriptions/${subscription.id}`)
    expect(await applyDueStripeEvents(deps(() => t0))).toEqual({ applied: 0, retrying: 1 })
    expect(await eventRow(signed.event.id)).toMatchObject({
      appliedAt: null,
      attempts: 1,
      lastError: expect.stringContaining('StripeAPIError'),
      nextAttemptAt: new Date(t0.getTime() + APPLY_RETRY_DELAYS_MS[0]),
    })
    expect(await billingOf(workspaceId)).toMatchObject({ status: 'active' })

    // Not due before its time; then applied, once.
    expect(await applyDueStripeEvents(deps(() => new Date(t0.getTime() + 1_000)))).toEqual({ applied: 0, retrying: 0 })
    const later = () => new Date(t0.getTime() + APPLY_RETRY_DELAYS_MS[0])
    expect(await applyDueStripeEvents(deps(later))).toEqual({ applied: 1, retrying: 0 })
    expect(await applyDueStripeEvents(deps(later))).toEqual({ applied: 0, retrying: 0 })
    expect(await eventRow(signed.event.id)).toMatchObject({ appliedAt: later(), attempts: 2, lastError: null })
    expect(await billingOf(workspaceId)).toMatchObject({ status: 'past_due' })
  })

  test('a failure while recording answers 500 (Stripe retries) and writes nothing; the retry is recorded', async () => {
    const { workspaceId, customerId, subscription } = await subscribedWorkspace()
    const signed = signEvent(SECRET, 'checkout.session.completed', checkoutCompleted(workspaceId, customerId, subscription.id))
    // A real failure in the database, not a stub: the insert raises.
    await database.db.execute(
      sql.raw(`create function refuse_stripe_event() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`),
    )
    await database.db.execute(
      sql.raw('create trigger refuse_stripe_event before insert on stripe_events for each row execute function refuse_stripe_event()'),
    )
    const before = await domainRows(database)
    try {
      const response = await deliver(signed)
      expect(response.status).toBe(500)
      expect(await response.json()).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'Something went wrong on our side.' })
      expect(await domainRows(database)).toEqual(before)
    } finally {
      await database.db.execute(sql.raw('drop trigger refuse_stripe_event on stripe_events'))
      await database.db.execute(sql.raw('drop function refuse_stripe_event()'))
    }
    expect(await (await deliver(signed)).json()).toEqual({ received: true, duplicate: false })
    expect(await eventRow(signed.event.id)).toMatchObject({ appliedAt: null })
  })
})

describe('the workspace customer', () => {
  test('made once: concurrent callers get the same customer and Stripe gets one create', async () => {
    const userId = await createUser(database)
    const [workspace] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(userId)))
    if (!workspace) throw new Error('no workspace')
    const ids = await Promise.all(Array.from({ length: 5 }, () => ensureStripeCustomer(deps(), workspace)))
    expect(new Set(ids).size).toBe(1)
    const created = standIn.requests.filter(
      (r) => r.path === '/v1/customers' && r.method === 'POST' && r.idempotencyKey?.endsWith(workspace.id),
    )
    expect(created).toHaveLength(1)
    expect(created[0]?.params).toMatchObject({ name: workspace.name, metadata: { workspace_id: workspace.id } })
    expect(await billingOf(workspace.id)).toMatchObject({ stripeCustomerId: ids[0], stripeSubscriptionId: null, status: null })
  })
})

function now(): number {
  return Math.floor(Date.now() / 1000)
}
