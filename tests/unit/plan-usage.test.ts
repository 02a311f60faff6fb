// What the plan pages and forms say about the plan: usage in words ("2 of 3 projects", seats counted as inviting counts
// them), and Pro's price read from the configured Stripe price (the stand-in's), kept for a while, and absent — not an
// error — when Stripe cannot say.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { priceText, usageText } from '../../src/components/plan-usage'
import { type StripeStandIn, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import type { Database } from '../../src/server/db/client'
import type { StripeAccess } from '../../src/server/services/context'
import * as invitations from '../../src/server/services/invitations'
import * as projects from '../../src/server/services/projects'
import * as billing from '../../src/server/services/workspace-billing'
import { contextFor, createTestDatabase, createUser, sessionActor } from '../support/db'

let database: Database
let standIn: StripeStandIn
beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})

function access(pricePro: string | null): StripeAccess {
  const client = createStripeClient(
    { secretKey: 'sk_test_usage', webhookSecret: 'whsec_usage', pricePro, apiUrl: standIn.url },
    { maxNetworkRetries: 0 },
  )
  if (!client) throw new Error('expected a client')
  return { client, pricePro }
}

describe('usage in words', () => {
  test.each([
    [0, 3, 'projects', '0 of 3 projects'],
    [2, 3, 'projects', '2 of 3 projects'],
    [1, 3, 'seats', '1 of 3 seats'],
    [1, Number.POSITIVE_INFINITY, 'projects', '1 project'],
    [7, Number.POSITIVE_INFINITY, 'seats', '7 seats'],
  ] as const)('%i used of %d %s reads “%s”', (used, allowed, what, text) => {
    expect(usageText(used, allowed, what)).toBe(text)
  })

  test.each([
    [{ unitAmount: 1200, currency: 'usd', interval: 'month', intervalCount: 1 }, '$12.00 a month'],
    [{ unitAmount: 9900, currency: 'eur', interval: 'year', intervalCount: 1 }, '€99.00 a year'],
    [{ unitAmount: 1500, currency: 'jpy', interval: 'month', intervalCount: 3 }, '¥1,500 every 3 months'],
    [{ unitAmount: 500, currency: 'usd', interval: null, intervalCount: 1 }, '$5.00'],
  ])('a price %o reads “%s”', (price, text) => {
    expect(priceText(price)).toBe(text)
  })
})

describe('billing.usage', () => {
  test('counts projects, and members plus open invitations as seats, as the invite check does', async () => {
    const ownerId = await createUser(database, 'Counting Owner')
    const owner = contextFor(database, sessionActor(ownerId))
    expect(await billing.usage(owner)).toEqual({
      plan: 'free',
      planName: 'Free',
      usage: { projects: 0, projectsAllowed: 3, seats: 1, seatsAllowed: 3 },
    })
    await projects.create(owner, { name: 'One' })
    await projects.create(owner, { name: 'Two' })
    await invitations.create(owner, { email: 'held-seat@example.test', role: 'member' })
    expect((await billing.usage(owner)).usage).toEqual({ projects: 2, projectsAllowed: 3, seats: 2, seatsAllowed: 3 })
  })
})

describe('billing.proPrice', () => {
  test('reads the configured price from Stripe once, then answers from memory', async () => {
    const stripe = access('price_pro_usage')
    const ctx = { ...contextFor(database, sessionActor(await createUser(database, 'Price Reader'))), stripe: async () => stripe }
    const asked = () => standIn.requests.filter((r) => r.path === '/v1/prices/price_pro_usage').length
    expect(await billing.proPrice(ctx)).toEqual({ unitAmount: 1200, currency: 'usd', interval: 'month', intervalCount: 1 })
    expect(await billing.proPrice(ctx)).toEqual({ unitAmount: 1200, currency: 'usd', interval: 'month', intervalCount: 1 })
    expect(asked()).toBe(1)
  })

  test('null without Stripe, without a price, or when Stripe does not know the price (the page leaves it to Checkout)', async () => {
    const base = contextFor(database, sessionActor(await createUser(database, 'No Price')))
    expect(await billing.proPrice({ ...base, stripe: async () => null })).toBeNull()
    expect(await billing.proPrice({ ...base, stripe: async () => access(null) })).toBeNull()
    expect(await billing.proPrice({ ...base, stripe: async () => access('not_a_price') })).toBeNull()
  })
})
