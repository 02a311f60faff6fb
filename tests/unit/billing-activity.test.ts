// What applying Stripe's events leaves besides the billing row: a plan.changed activity when the workspace's plan or
// status moved (in the same transaction, by no one: actorId null), none when an event repeats what is stored; and the
// ledger's applied events purged after their retention, never an unapplied one.
import { eq } from 'drizzle-orm'
import type Stripe from 'stripe'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StripeStandIn, signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import type { Database } from '../../src/server/db/client'
import { activity, stripeEvents, workspaces } from '../../src/server/db/schema'
import {
  APPLIED_EVENT_RETENTION_MS,
  applyStripeEvent,
  ensureStripeCustomer,
  purgeAppliedStripeEvents,
  recordStripeEvent,
} from '../../src/server/services/billing'
import { captureLogger } from '../support/api'
import { createTestDatabase, createUser, personalWorkspace } from '../support/db'

let database: Database
let standIn: StripeStandIn
let stripe: Stripe

beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
  const client = createStripeClient({ secretKey: 'sk_test_activity', webhookSecret: null, pricePro: 'price_pro', apiUrl: standIn.url })
  if (!client) throw new Error('expected a client')
  stripe = client
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})

const deps = () => ({ db: database.db, stripe, now: () => new Date(), log: captureLogger([]) })

async function deliver(type: string, object: Record<string, unknown>) {
  const { event } = signEvent('whsec_x', type, object)
  await recordStripeEvent(database.db, event, new Date())
  await applyStripeEvent(deps(), event.id)
}

const feed = async (workspaceId: string) =>
  (await database.db.select().from(activity).where(eq(activity.workspaceId, workspaceId)).orderBy(activity.id)).map((row) => ({
    kind: row.kind,
    actorId: row.actorId,
    data: row.data,
  }))

test('each change of plan or status is one activity (plan.changed, or payment.recovered after a failed payment); an event that changes nothing adds none', async () => {
  const slug = personalWorkspace(await createUser(database, 'Payer'))
  const [workspace] = await database.db.select().from(workspaces).where(eq(workspaces.slug, slug))
  if (!workspace) throw new Error('no workspace')
  const customer = await ensureStripeCustomer(deps(), workspace)
  const subscription = await stripe.subscriptions.create({ customer, items: [{ price: 'price_pro' }] })

  await deliver('checkout.session.completed', {
    id: 'cs_test_activity',
    object: 'checkout.session',
    mode: 'subscription',
    client_reference_id: workspace.id,
    customer,
    subscription: subscription.id,
  })
  const sub = () => ({ ...standIn.subscriptions.get(subscription.id) })
  await deliver('customer.subscription.updated', sub())
  standIn.setSubscriptionStatus(subscription.id, 'past_due')
  await deliver('customer.subscription.updated', sub())
  standIn.setSubscriptionStatus(subscription.id, 'active')
  await deliver('customer.subscription.updated', sub())
  standIn.setSubscriptionStatus(subscription.id, 'canceled')
  await deliver('customer.subscription.deleted', sub())

  expect(await feed(workspace.id)).toEqual([
    { kind: 'plan.changed', actorId: null, data: { plan: 'pro', status: 'active' } },
    { kind: 'plan.changed', actorId: null, data: { plan: 'pro', status: 'past_due' } },
    // Paid after all: not "upgraded" again.
    { kind: 'payment.recovered', actorId: null, data: { plan: 'pro', status: 'active' } },
    { kind: 'plan.changed', actorId: null, data: { plan: 'free', status: 'canceled' } },
  ])
})

test('the purge deletes applied events older than the retention, and keeps newer and unapplied ones', async () => {
  const now = new Date()
  const old = new Date(now.getTime() - APPLIED_EVENT_RETENTION_MS - 60_000)
  const make = async (appliedAt: Date | null) => {
    const { event } = signEvent('whsec_x', 'customer.created', { id: 'cus_purge', object: 'customer' })
    await recordStripeEvent(database.db, event, old)
    await database.db.update(stripeEvents).set({ appliedAt }).where(eq(stripeEvents.id, event.id))
    return event.id
  }
  const stale = await make(old)
  const recent = await make(now)
  const unapplied = await make(null)
  expect(await purgeAppliedStripeEvents(database.db, now)).toBeGreaterThanOrEqual(1)
  const left = (await database.db.select({ id: stripeEvents.id }).from(stripeEvents)).map((r) => r.id)
  expect(left).not.toContain(stale)
  expect(left).toEqual(expect.arrayContaining([recent, unapplied]))
})
