// Development only: plays Stripe's part against the local stand-in, so billing can be shown with no network. It changes
// the subscription in the stand-in as Stripe would (created, past due, paid, canceled) and then delivers the matching
// signed event to our own webhook, exactly as Stripe delivers it. The app learns nothing from here but that event.
import { and, eq, isNotNull } from 'drizzle-orm'
import type Stripe from 'stripe'
import { z } from 'zod'
import type { StripeConfig } from '../config'
import type { Db } from '../db/client'
import { stripeEvents, workspaceBilling, workspaces } from '../db/schema'
import { BadRequest, NotFound } from '../errors'
import type { Logger } from '../log'
import { ensureStripeCustomer, HANDLED_EVENT_TYPES } from '../services/billing'
import { deliverEvent, signEvent } from './stripe-standin'

export const TriggerInput = z.object({
  event: z.enum(HANDLED_EVENT_TYPES),
  workspace: z.string().min(1).max(100),
})
export type TriggerInput = z.infer<typeof TriggerInput>

export type SimulatorDeps = { db: Db; stripe: Stripe; stripeConfig: StripeConfig; appUrl: string; log: Logger; now: () => Date }

export type TriggerResult = { event: string; eventId: string; subscription: string | null; webhookStatus: number }

/** Makes `input.event` happen to the workspace in the stand-in, and delivers the signed event to our webhook. */
export async function triggerEvent(deps: SimulatorDeps, input: TriggerInput): Promise<TriggerResult> {
  const { stripe, stripeConfig } = deps
  if (!stripeConfig.apiUrl || !stripeConfig.webhookSecret) {
    throw new BadRequest('The simulator needs the Stripe stand-in: set STRIPE_API_URL and STRIPE_WEBHOOK_SECRET (see .env.example).')
  }
  const [workspace] = await deps.db.select().from(workspaces).where(eq(workspaces.slug, input.workspace))
  if (!workspace) throw new NotFound(`Workspace ${input.workspace}`)
  const [billing] = await deps.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspace.id))

  let object: Record<string, unknown>
  let subscriptionId = billing?.stripeSubscriptionId ?? null
  const current = async () => {
    if (!subscriptionId) throw new BadRequest(`${input.workspace} has no subscription yet: trigger checkout.session.completed first.`)
    return stripe.subscriptions.retrieve(subscriptionId)
  }
  switch (input.event) {
    case 'checkout.session.completed': {
      const customer = await ensureStripeCustomer(deps, workspace)
      const price = stripeConfig.pricePro ?? 'price_pro'
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: workspace.id,
        line_items: [{ price, quantity: 1 }],
        success_url: `${deps.appUrl}/w/${workspace.slug}`,
      })
      const subscription = await stripe.subscriptions.create({ customer, items: [{ price }], metadata: { workspace_id: workspace.id } })
      subscriptionId = subscription.id
      object = { ...withoutResponse(session), status: 'complete', payment_status: 'paid', subscription: subscription.id }
      break
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
      object = withoutResponse(await current())
      break
    case 'customer.subscription.deleted':
      await current()
      object = withoutResponse(await stripe.subscriptions.cancel(subscriptionId ?? ''))
      break
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const subscription = await current()
      await setStatus(deps, subscription.id, input.event === 'invoice.paid' ? 'active' : 'past_due')
      object = {
        id: `in_sim_${Date.now()}`,
        object: 'invoice',
        customer: subscription.customer,
        status: input.event === 'invoice.paid' ? 'paid' : 'open',
        parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id, metadata: {} } },
      }
      break
    }
  }
  const signed = signEvent(stripeConfig.webhookSecret, input.event, object)
  const response = await deliverEvent(`${deps.appUrl}/api/webhooks/stripe`, signed)
  deps.log.info('simulated stripe event delivered', { type: input.event, eventId: signed.event.id, status: response.status })
  return { event: input.event, eventId: signed.event.id, subscription: subscriptionId, webhookStatus: response.status }
}

/** The stand-in's own control (not Stripe's API): what Stripe does by itself when a payment fails or succeeds. */
async function setStatus(deps: SimulatorDeps, subscriptionId: string, status: Stripe.Subscription.Status): Promise<void> {
  await standInControl(deps, `/_standin/subscriptions/${encodeURIComponent(subscriptionId)}`, { status })
}

async function standInControl(deps: SimulatorDeps, path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${deps.stripeConfig.apiUrl}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${deps.stripeConfig.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })
  if (!response.ok) throw new Error(`the stand-in refused ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Record<string, unknown>
}

function withoutResponse<T extends object>(object: T): Record<string, unknown> {
  const { lastResponse: _response, ...rest } = object as T & { lastResponse?: unknown }
  return rest
}

/**
 * Whether the app plays Stripe's part itself: only against the stand-in (STRIPE_API_URL, which a live key refuses) and
 * with a signing secret to sign its events. Then the stand-in's Checkout and portal pages are the app's /dev/stripe
 * pages, in any NODE_ENV, so the browser suite can run the whole story against a production build.
 */
export function simulatorEnabled(
  stripeConfig: StripeConfig | null,
): stripeConfig is StripeConfig & { apiUrl: string; webhookSecret: string } {
  return Boolean(stripeConfig?.apiUrl && stripeConfig.webhookSecret)
}

/**
 * The "Pay" button of the simulated Checkout page: what Stripe does when a Checkout Session in subscription mode is
 * paid. The subscription is created in the stand-in for the session's customer, and checkout.session.completed is
 * delivered, signed, to our webhook. Answers the event, so the caller can wait for it to be applied.
 */
export async function completeCheckout(deps: SimulatorDeps, session: Stripe.Checkout.Session): Promise<TriggerResult> {
  const { stripe, stripeConfig } = deps
  if (!stripeConfig.webhookSecret) throw new BadRequest('The simulator needs STRIPE_WEBHOOK_SECRET to sign its events.')
  const customer = typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null)
  if (!customer || session.mode !== 'subscription') throw new BadRequest('Only subscription sessions with a customer can be paid here.')
  if (session.status !== 'open') throw new BadRequest('This checkout session is no longer open.')
  const price = stripeConfig.pricePro ?? 'price_pro'
  const subscription = await stripe.subscriptions.create({
    customer,
    items: [{ price }],
    metadata: { workspace_id: session.client_reference_id ?? '' },
  })
  const completed = await standInControl(deps, `/_standin/checkout_sessions/${encodeURIComponent(session.id)}`, {
    subscription: subscription.id,
  })
  const signed = signEvent(stripeConfig.webhookSecret, 'checkout.session.completed', completed)
  const response = await deliverEvent(`${deps.appUrl}/api/webhooks/stripe`, signed)
  deps.log.info('simulated checkout paid', { session: session.id, eventId: signed.event.id, status: response.status })
  return { event: 'checkout.session.completed', eventId: signed.event.id, subscription: subscription.id, webhookStatus: response.status }
}

/**
 * Waits (up to `timeoutMs`) until the billing worker has applied the event, so the page the simulator returns to
 * already shows its effect. Stripe gives no such promise; the simulator can, since the worker runs in this app.
 */
export async function waitUntilApplied(db: Db, eventId: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const [row] = await db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(and(eq(stripeEvents.id, eventId), isNotNull(stripeEvents.appliedAt)))
    if (row) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}
