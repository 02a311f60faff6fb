// `npm run bench:stripe`: how many signed Stripe events per second the webhook verifies and durably records, and that
// every one is then applied exactly once. In-process (the webhook handler called with Request objects, as Next calls
// the route), with the subscription reads going to the Stripe stand-in over real HTTP. Target: ≥ 1,000 events/s
// recorded on PostgreSQL (DATABASE_URL=postgres://…, a fresh database dropped afterwards); PGlite is reported only.
import '../../scripts/load-env'
import './quiet-log'
import { count, eq, isNull, sql } from 'drizzle-orm'
import type Stripe from 'stripe'
import { signEvent, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import { handleStripeWebhook } from '../../src/server/billing/webhook'
import { openDatabase } from '../../src/server/db/client'
import { stripeEvents, user, workspaceBilling } from '../../src/server/db/schema'
import { log } from '../../src/server/log'
import { applyDueStripeEvents, type BillingDeps, ensureStripeCustomer } from '../../src/server/services/billing'
import { createPersonal } from '../../src/server/services/workspaces'
import { isPostgresRun, openThrowawayDatabase } from '../support/postgres'

const TARGET_RECORDED_PER_SECOND = 1_000
const EVENTS = Number(process.env.BENCH_STRIPE_EVENTS ?? 5_000)
const WORKSPACES = 50
/** Deliveries in flight at once, as Stripe sends them to a busy endpoint. */
const CONCURRENCY = 32
const SECRET = 'whsec_bench'

const database = isPostgresRun()
  ? await openThrowawayDatabase(`twofold_bench_stripe_${process.pid}_${Date.now()}`)
  : await openDatabase({ kind: 'pglite', dataDir: null })
const standIn = await startStripeStandIn()
const stripe = createStripeClient({ secretKey: 'sk_test_bench', webhookSecret: SECRET, pricePro: 'price_pro', apiUrl: standIn.url })
if (!stripe) throw new Error('no Stripe client')
const deps: BillingDeps = { db: database.db, stripe, now: () => new Date(), log }

try {
  // Workspaces with a customer and a live subscription each: the events are about them.
  const subscriptions: Stripe.Subscription[] = []
  for (let i = 0; i < WORKSPACES; i++) {
    const id = crypto.randomUUID()
    await database.db.insert(user).values({ id, name: `Bench ${i}`, email: `${id}@bench.test` })
    const workspace = await createPersonal(database.db, { id, name: `Bench ${i}` })
    const customer = await ensureStripeCustomer(deps, workspace)
    subscriptions.push(await stripe.subscriptions.create({ customer, items: [{ price: 'price_pro' }] }))
  }
  // Signed before the clock starts: signing is Stripe's work, verifying ours.
  const signed = Array.from({ length: EVENTS }, (_, i) => {
    const subscription = subscriptions[i % WORKSPACES]
    return signEvent(SECRET, 'customer.subscription.updated', { ...subscription, lastResponse: undefined })
  })
  const webhookDeps = { db: database.db, webhookSecret: SECRET, log, now: () => new Date() }
  const deliver = async (event: (typeof signed)[number]) => {
    const response = await handleStripeWebhook(
      new Request('http://bench.test/api/webhooks/stripe', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': event.signature },
        body: event.payload,
      }),
      webhookDeps,
    )
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`)
  }

  // Warm-up, thrown away.
  for (const event of signed.slice(0, 200)) await deliver(event)

  let next = 200
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < signed.length) {
        const event = signed[next++]
        if (event) await deliver(event)
      }
    }),
  )
  const recordSeconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const recordedPerSecond = (EVENTS - 200) / recordSeconds
  // The app's own CPU per event: steady when the machine is shared, unlike events/s.
  const cpuMicrosPerEvent = (cpu.user + cpu.system) / (EVENTS - 200)

  // And every one again, as Stripe's redeliveries: nothing more is recorded.
  for (const event of signed.slice(0, 500)) await deliver(event)

  // Applied by two workers at once, as two instances would.
  const applyStarted = performance.now()
  const drain = async () => {
    for (;;) {
      const report = await applyDueStripeEvents(deps, { batchSize: 100 })
      if (report.applied + report.retrying === 0) return
    }
  }
  await Promise.all([drain(), drain()])
  const applySeconds = (performance.now() - applyStarted) / 1000

  const [rows] = await database.db.select({ n: count() }).from(stripeEvents)
  const [unapplied] = await database.db.select({ n: count() }).from(stripeEvents).where(isNull(stripeEvents.appliedAt))
  const [twice] = await database.db.select({ n: count() }).from(stripeEvents).where(sql`${stripeEvents.attempts} <> 1`)
  const retrievals = standIn.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/subscriptions/')).length
  const [active] = await database.db.select({ n: count() }).from(workspaceBilling).where(eq(workspaceBilling.status, 'active'))

  console.log(`on ${database.kind}: ${EVENTS} signed events, ${CONCURRENCY} deliveries in flight`)
  console.log(
    `  recorded: ${Math.round(recordedPerSecond)} events/s (target ≥ ${TARGET_RECORDED_PER_SECOND} on PostgreSQL), ${Math.round(cpuMicrosPerEvent)} µs of this process's CPU per event (${Math.round(1e6 / cpuMicrosPerEvent)} events per CPU-second)`,
  )
  console.log(`  applied:  ${Math.round(EVENTS / applySeconds)} events/s by two workers (each reads the subscription from the stand-in)`)
  console.log(
    `  rows ${rows?.n}, unapplied ${unapplied?.n}, applied other than once ${twice?.n}, subscription reads ${retrievals}, active workspaces ${active?.n}`,
  )

  const failures: string[] = []
  if (rows?.n !== EVENTS) failures.push(`expected ${EVENTS} recorded events, found ${rows?.n}`)
  if (unapplied?.n !== 0 || twice?.n !== 0 || retrievals !== EVENTS) failures.push('not every event was applied exactly once')
  if (active?.n !== WORKSPACES) failures.push(`expected ${WORKSPACES} active workspaces, found ${active?.n}`)
  if (database.kind === 'postgres' && recordedPerSecond < TARGET_RECORDED_PER_SECOND) failures.push('recording is below target')
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join('; ')}`)
    process.exitCode = 1
  }
} finally {
  await standIn.close()
  await database.close()
}
