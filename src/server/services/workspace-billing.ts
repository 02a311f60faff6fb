// A workspace's billing as its owners see and change it: the plan and subscription shown on the billing page, and the
// two ways to Stripe — Checkout to upgrade, the customer portal to manage (invoices, payment method, cancelling).
// Stripe itself changes the plan, through the webhook (services/billing.ts); nothing here writes a subscription.
import { and, count, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { invitations, memberships, projects, workspaceBilling, workspaces } from '../db/schema'
import { Conflict, NotFound } from '../errors'
import { log } from '../log'
import { requireRole } from './access'
import { ensureStripeCustomer } from './billing'
import { requireSessionUser, type ServiceContext, type StripeAccess } from './context'
import { parseInput } from './parse'
import { isPaymentFailed, PLANS, type PlanId, planForStatus } from './plans'

export type BillingOverview = {
  plan: PlanId
  planName: string
  /** Stripe's subscription status; null when the workspace never subscribed. */
  status: string | null
  /** When the current period ends: the renewal date, or the end of a cancelled plan. */
  currentPeriodEnd: Date | null
  cancelAtPeriodEnd: boolean
  /** Whether there is a Stripe customer to open the portal for. */
  hasCustomer: boolean
  paymentFailed: boolean
  usage: Usage
}

/**
 * What the workspace has, against what its plan allows (Infinity: no limit). Seats are members plus open invitations,
 * as inviting counts them (plan-limits.ts#requireRoomForMember): an invitation holds its seat until accepted or revoked.
 */
export type Usage = { projects: number; projectsAllowed: number; seats: number; seatsAllowed: number }

/** The workspace's plan and usage, for the forms that consume it (create project, invite). Any member may see it. */
export async function usage(ctx: ServiceContext): Promise<{ plan: PlanId; planName: string; usage: Usage }> {
  const { workspaceId } = await requireRole(ctx, 'member')
  return usageOf(ctx, workspaceId)
}

async function usageOf(ctx: ServiceContext, workspaceId: string) {
  const [[row], [projectCount], [memberCount], [openInvitations]] = await Promise.all([
    ctx.db.select({ status: workspaceBilling.status }).from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspaceId)),
    ctx.db.select({ n: count() }).from(projects).where(eq(projects.workspaceId, workspaceId)),
    ctx.db.select({ n: count() }).from(memberships).where(eq(memberships.workspaceId, workspaceId)),
    ctx.db
      .select({ n: count() })
      .from(invitations)
      .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))),
  ])
  const plan = planForStatus(row?.status)
  return {
    plan,
    planName: PLANS[plan].name,
    usage: {
      projects: projectCount?.n ?? 0,
      projectsAllowed: PLANS[plan].projects,
      seats: (memberCount?.n ?? 0) + (openInvitations?.n ?? 0),
      seatsAllowed: PLANS[plan].members,
    },
  }
}

/** What the billing page shows. Owners only: the plan is the owners' business. */
export async function overview(ctx: ServiceContext): Promise<BillingOverview> {
  const { workspaceId } = await requireRole(ctx, 'owner')
  const [[row], { plan, planName, usage }] = await Promise.all([
    ctx.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspaceId)),
    usageOf(ctx, workspaceId),
  ])
  const status = row?.status ?? null
  return {
    plan,
    planName,
    status,
    currentPeriodEnd: row?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: row?.cancelAtPeriodEnd ?? false,
    hasCustomer: Boolean(row?.stripeCustomerId),
    paymentFailed: isPaymentFailed(status),
    usage,
  }
}

/** The Pro plan's price as configured in Stripe (STRIPE_PRICE_PRO): the amount in the currency's smallest unit. */
export type PlanPrice = { unitAmount: number; currency: string; interval: string | null; intervalCount: number }

const PRICE_KEPT_MS = 10 * 60_000
const PRICE_RETRY_MS = 60_000
const PRICE_TIMEOUT_MS = 3_000
const priceCache = new WeakMap<StripeAccess, { price: PlanPrice | null; until: number }>()

/**
 * The Pro price, read from Stripe so the page shows what Checkout will charge. A price rarely changes and a page must
 * not wait on Stripe at every view, so the answer is kept for ten minutes per process (a failure for one, then asked
 * again). Null when Stripe is not configured or cannot say: the page then leaves the amount to Checkout.
 */
export async function proPrice(ctx: ServiceContext): Promise<PlanPrice | null> {
  const stripe = await ctx.stripe()
  if (!stripe?.pricePro) return null
  const now = ctx.now().getTime()
  const kept = priceCache.get(stripe)
  if (kept && kept.until > now) return kept.price
  let price: PlanPrice | null = null
  try {
    // One short try: the page renders without the price rather than wait on Stripe's retries.
    const found = await stripe.client.prices.retrieve(stripe.pricePro, {}, { timeout: PRICE_TIMEOUT_MS, maxNetworkRetries: 0 })
    if (found.unit_amount !== null) {
      price = {
        unitAmount: found.unit_amount,
        currency: found.currency,
        interval: found.recurring?.interval ?? null,
        intervalCount: found.recurring?.interval_count ?? 1,
      }
    }
  } catch (error) {
    log.warn('the Pro price could not be read from Stripe', { price: stripe.pricePro, error })
  }
  priceCache.set(stripe, { price, until: now + (price ? PRICE_KEPT_MS : PRICE_RETRY_MS) })
  return price
}

/** For the frame of every workspace page: the plan's badge and the failed-payment banner. Any member may know them. */
export async function planSummary(ctx: ServiceContext): Promise<{ plan: PlanId; planName: string; paymentFailed: boolean }> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const [row] = await ctx.db
    .select({ status: workspaceBilling.status })
    .from(workspaceBilling)
    .where(eq(workspaceBilling.workspaceId, workspaceId))
  const status = row?.status ?? null
  const plan = planForStatus(status)
  return { plan, planName: PLANS[plan].name, paymentFailed: isPaymentFailed(status) }
}

export const StartCheckoutInput = z.object({
  /**
   * Made when the billing page is rendered and posted with the form, so the clicks of one page (a double click, a
   * resubmission) share an idempotency key and get one Checkout Session; a new visit gets a new one.
   */
  attempt: z.uuid().optional(),
})
export const OpenPortalInput = z.object({})

/** Where the browser goes next: Stripe's (or the stand-in's) hosted page. */
export const StripeRedirect = z.object({ url: z.url().max(2048) })
export type StripeRedirect = z.infer<typeof StripeRedirect>

const NOT_CONFIGURED = 'Billing is not set up on this server: Stripe is not configured.'

async function requireStripe(ctx: ServiceContext): Promise<StripeAccess> {
  const stripe = await ctx.stripe()
  if (!stripe) throw new Conflict(NOT_CONFIGURED)
  return stripe
}

async function ownedWorkspace(ctx: ServiceContext) {
  requireSessionUser(ctx.actor, 'Billing is managed')
  const { workspaceId } = await requireRole(ctx, 'owner')
  const [workspace] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, workspaceId))
  if (!workspace) throw new NotFound('Workspace')
  const [billing] = await ctx.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspaceId))
  return { workspace, billing }
}

function billingPage(ctx: ServiceContext, slug: string, query = ''): string {
  return new URL(`/w/${slug}/settings/billing${query}`, ctx.appUrl).toString()
}

/**
 * Upgrade: a Checkout Session for the Pro price, in subscription mode, for the workspace's one Stripe customer (made
 * on first use; concurrent clicks queue on the billing row and share it). client_reference_id names the workspace,
 * which is how the webhook's checkout.session.completed finds it.
 */
export async function startCheckout(ctx: ServiceContext, input: z.input<typeof StartCheckoutInput>): Promise<StripeRedirect> {
  const { attempt } = parseInput(StartCheckoutInput, input)
  const { workspace, billing } = await ownedWorkspace(ctx)
  const stripe = await requireStripe(ctx)
  if (!stripe.pricePro) throw new Conflict(`${NOT_CONFIGURED} (STRIPE_PRICE_PRO is not set)`)
  if (planForStatus(billing?.status) === 'pro') throw new Conflict('This workspace is on Pro already. Use Manage billing to change it.')
  const customer = await ensureStripeCustomer({ db: ctx.db, stripe: stripe.client, now: ctx.now }, workspace)
  // Without an attempt id (a form posted by hand), clicks within the same ten minutes share one session.
  const window = Math.floor(ctx.now().getTime() / 600_000)
  const session = await stripe.client.checkout.sessions.create(
    {
      mode: 'subscription',
      customer,
      client_reference_id: workspace.id,
      line_items: [{ price: stripe.pricePro, quantity: 1 }],
      subscription_data: { metadata: { workspace_id: workspace.id } },
      metadata: { workspace_id: workspace.id },
      success_url: billingPage(ctx, workspace.slug, '?checkout=success'),
      cancel_url: billingPage(ctx, workspace.slug, '?checkout=canceled'),
    },
    { idempotencyKey: `twofold-checkout-${workspace.id}-${attempt ?? `w${window}`}` },
  )
  if (!session.url) throw new Error('Stripe answered a Checkout Session without a url')
  return { url: session.url }
}

/** Manage billing: a customer portal session for the workspace's Stripe customer, coming back to the billing page. */
export async function openPortal(ctx: ServiceContext, _input: z.input<typeof OpenPortalInput> = {}): Promise<StripeRedirect> {
  const { workspace, billing } = await ownedWorkspace(ctx)
  const stripe = await requireStripe(ctx)
  if (!billing?.stripeCustomerId) throw new Conflict('This workspace has no billing account yet. Upgrade first.')
  const session = await stripe.client.billingPortal.sessions.create({
    customer: billing.stripeCustomerId,
    return_url: billingPage(ctx, workspace.slug),
  })
  return { url: session.url }
}
