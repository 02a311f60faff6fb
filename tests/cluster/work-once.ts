// Property 5: work off the request path is done once with three instances running workers, including when one is
// killed (SIGKILL) in the middle of its batch: what it had leased is taken over by another worker when the lease ends.
// E-mail is counted at the SMTP sink; Stripe events by their applied mark and by the subscription reads each apply
// makes at the stand-in.
import { execFileSync } from 'node:child_process'
import { and, count, gt, inArray, isNotNull, isNull, like, ne } from 'drizzle-orm'
import type Stripe from 'stripe'
import type { Cluster, InstanceName } from '../../scripts/cluster'
import type { StripeStandIn } from '../../src/dev/stripe/standin'
import { deliverEvent, signEvent } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import type { Database } from '../../src/server/db/client'
import { outbox, stripeEvents, workspaces } from '../../src/server/db/schema'
import { log } from '../../src/server/log'
import { enqueueMail } from '../../src/server/mail/outbox'
import { ensureStripeCustomer } from '../../src/server/services/billing'
import { type PropertyResult, signUp, sleep } from './fixtures'
import type { SlowSink } from './smtp-sink'

/** The mail lease (outbox.ts: twice the 20 s send timeout and 30 s) and a worker's poll, with room to spare. */
const MAIL_TAKEOVER_MS = 70_000 + 5_000 + 20_000
/** The Stripe event lease (services/billing.ts, two minutes) and a worker's poll, with room to spare. */
const STRIPE_TAKEOVER_MS = 120_000 + 5_000 + 20_000

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(50)
  }
  log.warn(`cluster test: ${what} not within ${timeoutMs} ms`)
  return false
}

/** Whether process `pid` has a TCP connection open to `port` (ss reads the kernel's socket table). */
function connectedTo(pid: number | undefined, port: number): boolean {
  if (!pid) return false
  const table = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' })
  return table.includes(`pid=${pid},`)
}

export type WorkOnceOptions = { mails: number; events: number; kill: boolean; victim: InstanceName; sinkPort: number }

export async function mailOnce(cluster: Cluster, database: Database, sink: SlowSink, options: WorkOnceOptions): Promise<PropertyResult> {
  const tag = `cluster batch ${Date.now()}`
  const subjects = Array.from({ length: options.mails }, (_, i) => `${tag} #${i}`)
  for (const [i, subject] of subjects.entries()) {
    await enqueueMail(database.db, { to: `m${i}@example.test`, subject, text: `message ${i}`, html: `<p>message ${i}</p>` })
  }
  const victim = cluster.instance(options.victim)
  let killedMidBatch = false
  if (options.kill) {
    // Killed while it holds messages it has sent but the sink has not yet answered.
    killedMidBatch = await until('the victim sending', async () => connectedTo(victim.pid(), options.sinkPort), 30_000)
    await victim.stop('SIGKILL')
  }
  const settled = async () => {
    const [row] = await database.db
      .select({ n: count() })
      .from(outbox)
      .where(and(like(outbox.subject, `${tag}%`), ne(outbox.status, 'sent')))
    return row?.n === 0
  }
  const done = await until('every message sent', settled, options.kill ? MAIL_TAKEOVER_MS : 60_000)
  if (options.kill) await victim.start()
  await sleep(500)
  const received = new Map<string, number>()
  const messageIds = new Map<string, Set<string>>()
  for (const { subject, messageId } of sink.accepted) {
    if (!subject.startsWith(tag)) continue
    received.set(subject, (received.get(subject) ?? 0) + 1)
    messageIds.set(subject, (messageIds.get(subject) ?? new Set()).add(messageId))
  }
  const [takenOver] = await database.db
    .select({ n: count() })
    .from(outbox)
    .where(and(like(outbox.subject, `${tag}%`), gt(outbox.attempts, 1)))
  const missing = subjects.filter((subject) => !received.has(subject)).length
  const doubled = [...received.values()].filter((times) => times > 1).length
  // A copy is the same message only if it says so: one Message-ID however many times it was handed over.
  const distinct = [...messageIds.values()].filter((ids) => ids.size === 1).length
  const failures: string[] = []
  if (!done) failures.push('not every message was marked sent in time')
  if (missing) failures.push(`${missing} messages never reached the sink`)
  if (distinct !== received.size) failures.push(`${received.size - distinct} messages reached the sink under more than one Message-ID`)
  if (doubled && !options.kill) failures.push(`${doubled} messages reached the sink more than once with no instance killed`)
  if (options.kill && !killedMidBatch) failures.push(`${options.victim} was not caught sending: the kill proves nothing`)
  if (options.kill && takenOver?.n === 0) failures.push('no message was taken over after the lease: the kill hit no batch')
  return {
    name: 'each outbox e-mail delivered, once per Message-ID',
    holds: failures.length === 0,
    figures: {
      queued: options.mails,
      accepted: [...received.values()].reduce((sum, times) => sum + times, 0),
      receivedOnce: [...received.values()].filter((times) => times === 1).length,
      missing,
      // Handed over by the killed instance without hearing the answer, and sent again by another: same Message-ID.
      doubled,
      distinctMessages: distinct,
      killed: options.kill ? `${options.victim} (SIGKILL, mid-batch: ${killedMidBatch})` : 'none',
      takenOverAfterLease: takenOver?.n ?? 0,
    },
    failures,
  }
}

export async function stripeOnce(
  cluster: Cluster,
  database: Database,
  standIn: StripeStandIn,
  secrets: { secretKey: string; webhookSecret: string },
  options: WorkOnceOptions,
): Promise<PropertyResult> {
  const stripe = createStripeClient({
    secretKey: secrets.secretKey,
    webhookSecret: secrets.webhookSecret,
    pricePro: 'price_pro',
    apiUrl: standIn.url,
  })
  if (!stripe) throw new Error('no Stripe client')
  const deps = { db: database.db, stripe, now: () => new Date(), log }
  const people = await Promise.all(Array.from({ length: 10 }, () => signUp(database, cluster)))
  const rows = await database.db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug })
    .from(workspaces)
    .where(
      inArray(
        workspaces.slug,
        people.map((p) => p.slug),
      ),
    )
  const subscriptions: Stripe.Subscription[] = []
  for (const workspace of rows) {
    const customer = await ensureStripeCustomer(deps, workspace)
    subscriptions.push(await stripe.subscriptions.create({ customer, items: [{ price: 'price_pro' }] }))
  }
  const signed = Array.from({ length: options.events }, (_, i) => {
    const subscription = subscriptions[i % subscriptions.length]
    return signEvent(secrets.webhookSecret, 'customer.subscription.updated', { ...subscription, lastResponse: undefined })
  })
  const ids = signed.map((event) => event.event.id)
  const readsBefore = standIn.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/subscriptions/')).length

  // Delivered to the victim itself (its worker is nudged by each and starts at once); what fails is delivered again
  // through HAProxy, as Stripe retries a delivery that got no 2xx.
  const victim = cluster.instance(options.kill ? options.victim : 'app1')
  const deliveries = { first: 0, redelivered: 0, failedFirst: 0 }
  const pending = [...signed]
  const delivering = (async () => {
    for (const event of pending) {
      const response = await deliverEvent(`${victim.url}/api/webhooks/stripe`, event).catch(() => null)
      deliveries.first++
      if (response?.status !== 200) {
        deliveries.failedFirst++
        let answered = false
        for (let attempt = 0; attempt < 10 && !answered; attempt++) {
          deliveries.redelivered++
          answered = (await deliverEvent(`${cluster.url}/api/webhooks/stripe`, event).catch(() => null))?.status === 200
          if (!answered) await sleep(500)
        }
      } else await response.body?.cancel()
    }
  })()
  const applied = async () => {
    const [row] = await database.db
      .select({ n: count() })
      .from(stripeEvents)
      .where(and(inArray(stripeEvents.id, ids), isNotNull(stripeEvents.appliedAt)))
    return row?.n ?? 0
  }
  let killedAt: number | null = null
  if (options.kill) {
    await until('the first events applied', async () => (await applied()) >= Math.min(20, options.events / 4), 60_000)
    killedAt = await applied()
    await victim.stop('SIGKILL')
  }
  await delivering
  const done = await until(
    'every event applied',
    async () => (await applied()) === options.events,
    options.kill ? STRIPE_TAKEOVER_MS : 60_000,
  )
  if (options.kill) await victim.start()

  const [recorded] = await database.db.select({ n: count() }).from(stripeEvents).where(inArray(stripeEvents.id, ids))
  const [unapplied] = await database.db
    .select({ n: count() })
    .from(stripeEvents)
    .where(and(inArray(stripeEvents.id, ids), isNull(stripeEvents.appliedAt)))
  const [takenOver] = await database.db
    .select({ n: count() })
    .from(stripeEvents)
    .where(and(inArray(stripeEvents.id, ids), gt(stripeEvents.attempts, 1)))
  const reads = standIn.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/subscriptions/')).length - readsBefore
  const failures: string[] = []
  if (!done) failures.push('not every event was applied in time')
  if (recorded?.n !== options.events) failures.push(`${recorded?.n} events recorded, not ${options.events}`)
  if (options.kill && takenOver?.n === 0) failures.push('no event was taken over after the lease: the kill hit no batch')
  return {
    name: 'each Stripe event applied once',
    holds: failures.length === 0,
    figures: {
      events: options.events,
      recorded: recorded?.n,
      applied: options.events - (unapplied?.n ?? 0),
      unapplied: unapplied?.n,
      killed: options.kill ? `${options.victim} (SIGKILL) after ${killedAt} applied` : 'none',
      takenOverAfterLease: takenOver?.n ?? 0,
      // Each apply reads the subscription once; an apply cut off by the kill read it without committing.
      subscriptionReads: reads,
      deliveries,
    },
    failures,
  }
}
