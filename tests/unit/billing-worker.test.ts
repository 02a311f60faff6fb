// The in-process billing worker: applies recorded Stripe events on its own, at once after a nudge, and not after stop().
import { eq } from 'drizzle-orm'
import type Stripe from 'stripe'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StripeStandIn, signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import { startBillingWorker } from '../../src/server/billing/worker'
import type { Database } from '../../src/server/db/client'
import { stripeEvents } from '../../src/server/db/schema'
import { recordStripeEvent } from '../../src/server/services/billing'
import { captureLogger, type LogLine } from '../support/api'
import { createTestDatabase } from '../support/db'

let database: Database
let standIn: StripeStandIn
let stripe: Stripe
const logs: LogLine[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
  const client = createStripeClient({ secretKey: 'sk_test_worker', webhookSecret: null, pricePro: null, apiUrl: standIn.url })
  if (!client) throw new Error('expected a client')
  stripe = client
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})

async function until(condition: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const applied = async (id: string) => {
  const [row] = await database.db.select({ appliedAt: stripeEvents.appliedAt }).from(stripeEvents).where(eq(stripeEvents.id, id))
  return row?.appliedAt != null
}

test('applies what was recorded before it started, and what is recorded later as soon as it is nudged', async () => {
  const first = signEvent('whsec_x', 'customer.created', { id: 'cus_1', object: 'customer' }).event
  await recordStripeEvent(database.db, first, new Date())
  // A tick far away: only the start and the nudge can apply anything within the test.
  const worker = startBillingWorker({ db: database.db, stripe, now: () => new Date(), log: captureLogger(logs) }, { intervalMs: 60_000 })
  try {
    await until(() => applied(first.id))
    const second = signEvent('whsec_x', 'customer.created', { id: 'cus_2', object: 'customer' }).event
    await recordStripeEvent(database.db, second, new Date())
    worker.nudge()
    await until(() => applied(second.id))
  } finally {
    await worker.stop()
  }
  const third = signEvent('whsec_x', 'customer.created', { id: 'cus_3', object: 'customer' }).event
  await recordStripeEvent(database.db, third, new Date())
  worker.nudge()
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(await applied(third.id)).toBe(false)
})
