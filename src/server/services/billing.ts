// Billing: a workspace's Stripe customer, and Stripe's events recorded once and applied once, off the request path.
//
// The webhook only records an event (recordStripeEvent); the billing worker applies it (applyDueStripeEvents). A
// subscription's state is never taken from an event's payload: Stripe does not deliver events in order, so applying
// one reads the subscription from Stripe's API, under a lock on the workspace's billing row, and stores that. Whatever
// order events arrive in, the last one applied stores Stripe's current state.
import { and, eq, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm'
import type Stripe from 'stripe'
import type { Db } from '../db/client'
import { stripeEvents, workspaceBilling, workspaces } from '../db/schema'
import type { Logger } from '../log'
import { recordActivity } from './activity'
import { isPaymentFailed, planForStatus } from './plans'

/** What billing needs besides the database: the Stripe client (the stand-in in tests) and the clock. */
export type BillingDeps = { db: Db; stripe: Stripe; now: () => Date; log: Logger }

/** The event types that change a workspace's billing; any other type is recorded and marked applied. */
export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const

/**
 * Records a verified event once: a redelivery (even ten at the same moment) finds the id taken and writes nothing.
 * `recorded` says whether this call was the one that wrote it.
 */
export async function recordStripeEvent(db: Db, event: Stripe.Event, now: Date): Promise<{ recorded: boolean }> {
  const rows = await db
    .insert(stripeEvents)
    .values({ id: event.id, type: event.type, payload: event, receivedAt: now, nextAttemptAt: now })
    .onConflictDoNothing({ target: stripeEvents.id })
    .returning({ id: stripeEvents.id })
  return { recorded: rows.length === 1 }
}

/**
 * How long an applied event is kept. Its row is what makes a redelivery a no-op, and Stripe redelivers for up to three
 * days, so a month leaves a wide margin; after that the ledger would only grow.
 */
export const APPLIED_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

/** Deletes applied events older than the retention (never an unapplied one, whatever its age). */
export async function purgeAppliedStripeEvents(db: Db, now: Date): Promise<number> {
  const deleted = await db
    .delete(stripeEvents)
    .where(and(isNotNull(stripeEvents.appliedAt), lt(stripeEvents.appliedAt, new Date(now.getTime() - APPLIED_EVENT_RETENTION_MS))))
    .returning({ id: stripeEvents.id })
  return deleted.length
}

/** After the first failed attempt wait this long before the next; the last delay repeats: an event is never dropped. */
export const APPLY_RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000, 6 * 60 * 60_000] as const

export type ApplyOptions = {
  /** Events claimed per round. */
  batchSize: number
  /** How long a claim holds before another worker may take the event over (longer than applying can take). */
  leaseMs: number
}

const APPLY_DEFAULTS: ApplyOptions = { batchSize: 50, leaseMs: 2 * 60_000 }

export type ApplyReport = { applied: number; retrying: number }

/**
 * Applies the events due now. They are claimed in one short statement (FOR UPDATE SKIP LOCKED, attempts bumped,
 * next_attempt_at pushed out as a lease), so another worker skips them; each is then applied in a transaction of its
 * own that re-checks it is still unapplied, so an event whose lease ran out and was taken over is applied once.
 */
export async function applyDueStripeEvents(deps: BillingDeps, options: Partial<ApplyOptions> = {}): Promise<ApplyReport> {
  const opts = { ...APPLY_DEFAULTS, ...options }
  const { db } = deps
  const now = deps.now()
  const due = db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(and(isNull(stripeEvents.appliedAt), lte(stripeEvents.nextAttemptAt, now)))
    .orderBy(stripeEvents.nextAttemptAt, stripeEvents.receivedAt)
    .limit(opts.batchSize)
    .for('update', { skipLocked: true })
  const claimed = await db
    .update(stripeEvents)
    .set({ attempts: sql`${stripeEvents.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + opts.leaseMs) })
    .where(inArray(stripeEvents.id, due))
    .returning({ id: stripeEvents.id, type: stripeEvents.type, attempts: stripeEvents.attempts, receivedAt: stripeEvents.receivedAt })
  claimed.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())

  const report: ApplyReport = { applied: 0, retrying: 0 }
  // One after another: events of one workspace would only queue on its row lock if applied side by side.
  for (const row of claimed) {
    try {
      await applyStripeEvent(deps, row.id)
      report.applied++
    } catch (error) {
      report.retrying++
      const delay = APPLY_RETRY_DELAYS_MS[Math.min(row.attempts, APPLY_RETRY_DELAYS_MS.length) - 1] ?? APPLY_RETRY_DELAYS_MS[0]
      const lastError = describeError(error)
      // Only while this worker's claim stands: a worker that took the event over has the last word.
      await db
        .update(stripeEvents)
        .set({ nextAttemptAt: new Date(now.getTime() + delay), lastError })
        .where(and(eq(stripeEvents.id, row.id), isNull(stripeEvents.appliedAt), eq(stripeEvents.attempts, row.attempts)))
      deps.log.warn('stripe event not applied: will retry', {
        id: row.id,
        type: row.type,
        attempt: row.attempts,
        retryInMs: delay,
        error: lastError,
      })
    }
  }
  return report
}

/**
 * Applies one recorded event: its effect and its applied_at in one transaction, so the effect exists exactly when
 * the event is marked applied. An event applied already (by another worker) is left alone.
 */
export async function applyStripeEvent(deps: BillingDeps, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ payload: stripeEvents.payload })
      .from(stripeEvents)
      .where(and(eq(stripeEvents.id, id), isNull(stripeEvents.appliedAt)))
      .for('update')
    if (!row) return
    const note = await applyEffect({ ...deps, db: tx }, row.payload as Stripe.Event)
    await tx.update(stripeEvents).set({ appliedAt: deps.now(), lastError: note }).where(eq(stripeEvents.id, id))
  })
}

/** The effect of one event; answers a note kept in last_error when the event was deliberately left without one. */
async function applyEffect(deps: BillingDeps, event: Stripe.Event): Promise<string | null> {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object
      if (!session.client_reference_id) return 'ignored: the session names no workspace (client_reference_id)'
      return syncWorkspace(deps, {
        workspaceId: session.client_reference_id,
        customerId: idOf(session.customer),
        subscriptionId: session.mode === 'subscription' ? idOf(session.subscription) : null,
      })
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object
      return syncWorkspace(deps, { customerId: idOf(subscription.customer), subscriptionId: subscription.id })
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const invoice = event.data.object
      const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null)
      if (!subscriptionId) return 'ignored: not a subscription invoice'
      return syncWorkspace(deps, { customerId: idOf(invoice.customer), subscriptionId })
    }
    default:
      return null
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due', 'unpaid', 'paused'])
const isLive = (status: string | null) => status !== null && LIVE_STATUSES.has(status)

/**
 * Brings a workspace's billing row to Stripe's current state of `subscriptionId`. The row is locked before Stripe is
 * asked, so two events of one workspace applied at once cannot store an older answer over a newer one.
 */
async function syncWorkspace(
  deps: BillingDeps,
  target: { workspaceId?: string; customerId: string | null; subscriptionId: string | null },
): Promise<string | null> {
  const { db, stripe } = deps
  const workspaceId = target.workspaceId ?? (target.customerId ? await workspaceOfCustomer(deps, target.customerId) : null)
  if (!workspaceId) return `ignored: no workspace for customer ${target.customerId ?? '(none)'}`
  // Retrying cannot make a workspace that is not there (or an id that is no id): noted, not retried.
  const exists =
    UUID.test(workspaceId) && (await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId))).length > 0
  if (!exists) return `ignored: no workspace ${workspaceId.slice(0, 64)}`

  const row = await lockBillingRow(db, workspaceId)
  if (row.stripeCustomerId && target.customerId && row.stripeCustomerId !== target.customerId) {
    deps.log.warn('stripe event for another customer than the workspace has: ignored', { workspaceId })
    return `ignored: the workspace's customer is ${row.stripeCustomerId}, not ${target.customerId}`
  }
  const customerId = row.stripeCustomerId ?? target.customerId
  if (!target.subscriptionId) {
    await db
      .update(workspaceBilling)
      .set({ stripeCustomerId: customerId, updatedAt: deps.now() })
      .where(eq(workspaceBilling.workspaceId, workspaceId))
    return null
  }

  const subscription = await stripe.subscriptions.retrieve(target.subscriptionId)
  // A late event about a subscription that has ended must not replace the workspace's newer, live one.
  if (row.stripeSubscriptionId && row.stripeSubscriptionId !== subscription.id && isLive(row.status) && !isLive(subscription.status)) {
    return `ignored: ${subscription.id} is ${subscription.status}; the workspace's current subscription is ${row.stripeSubscriptionId}`
  }
  const item = subscription.items.data[0]
  await db
    .update(workspaceBilling)
    .set({
      stripeCustomerId: customerId ?? idOf(subscription.customer),
      stripeSubscriptionId: subscription.id,
      status: subscription.status,
      priceId: item?.price.id ?? null,
      currentPeriodEnd: item ? new Date(item.current_period_end * 1000) : null,
      cancelAtPeriodEnd: subscription.cancel_at_period_end,
      updatedAt: deps.now(),
    })
    .where(eq(workspaceBilling.workspaceId, workspaceId))
  // The feed tells the workspace when its plan or status moved (not on every event: most repeat what is stored). A
  // failed payment that goes through after all is its own kind: "active" alone would read as an upgrade.
  if (row.status !== subscription.status) {
    const data = { plan: planForStatus(subscription.status), status: subscription.status }
    const recovered = isPaymentFailed(row.status) && planForStatus(subscription.status) === 'pro'
    const kind = recovered ? 'payment.recovered' : 'plan.changed'
    await recordActivity(db, { workspaceId, actorId: null, kind, subjectId: subscription.id, data })
  }
  return null
}

/** The workspace whose customer this is: ours on record, else the workspace_id we put in the customer's metadata. */
async function workspaceOfCustomer(deps: BillingDeps, customerId: string): Promise<string | null> {
  const [known] = await deps.db
    .select({ workspaceId: workspaceBilling.workspaceId })
    .from(workspaceBilling)
    .where(eq(workspaceBilling.stripeCustomerId, customerId))
  if (known) return known.workspaceId
  const customer = await deps.stripe.customers.retrieve(customerId)
  if (customer.deleted) return null
  return customer.metadata.workspace_id ?? null
}

/** The workspace's billing row, made if missing, locked FOR UPDATE until the caller's transaction ends. */
async function lockBillingRow(db: Db, workspaceId: string) {
  await db.insert(workspaceBilling).values({ workspaceId }).onConflictDoNothing({ target: workspaceBilling.workspaceId })
  const [row] = await db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspaceId)).for('update')
  if (!row) throw new Error(`the billing row of workspace ${workspaceId} vanished`)
  return row
}

/**
 * The workspace's Stripe customer, created on first use and reused after. Concurrent callers queue on the billing
 * row's lock, so only the first creates one; the idempotency key covers a crash between Stripe's answer and our
 * commit (the retry gets the same customer back). The caller has checked who may do this (the upgrade operation).
 */
export async function ensureStripeCustomer(
  deps: Pick<BillingDeps, 'db' | 'stripe' | 'now'>,
  workspace: { id: string; name: string },
): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const row = await lockBillingRow(tx, workspace.id)
    if (row.stripeCustomerId) return row.stripeCustomerId
    const customer = await deps.stripe.customers.create(
      { name: workspace.name, metadata: { workspace_id: workspace.id } },
      { idempotencyKey: `twofold-workspace-customer-${workspace.id}` },
    )
    await tx
      .update(workspaceBilling)
      .set({ stripeCustomerId: customer.id, updatedAt: deps.now() })
      .where(eq(workspaceBilling.workspaceId, workspace.id))
    return customer.id
  })
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null
  return typeof value === 'string' ? value : value.id
}

const MAX_ERROR_LENGTH = 300

function describeError(error: unknown): string {
  // Stripe's errors say what they are in `type` (StripeAPIError, StripeConnectionError, …); their name is Error.
  const kind = error instanceof Error ? ('type' in error && typeof error.type === 'string' ? error.type : error.name) : ''
  const message = error instanceof Error ? `${kind}: ${error.message}` : String(error)
  return (message.split('\n', 1)[0] ?? '').slice(0, MAX_ERROR_LENGTH)
}
