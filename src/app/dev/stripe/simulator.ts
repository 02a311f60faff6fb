// What the simulator's pages and actions share: the simulator itself (only against the stand-in: 404 otherwise), and
// the workspace a checkout session or a customer belongs to, if the signed-in person owns it.
import { eq } from 'drizzle-orm'
import { notFound } from 'next/navigation'
import type Stripe from 'stripe'
import { type SimulatorDeps, simulatorEnabled } from '@/server/billing/simulator'
import { stripeAccess } from '@/server/billing/stripe-client'
import { workspaceBilling, workspaces } from '@/server/db/schema'
import { toAppError } from '@/server/errors'
import { log } from '@/server/log'
import { getRuntime } from '@/server/runtime'
import type { ServiceContext } from '@/server/services/context'
import * as billing from '@/server/services/workspace-billing'

/** The simulator's dependencies, or the 404 page where the app talks to Stripe itself (or to no Stripe at all). */
export async function simulator(): Promise<SimulatorDeps> {
  const runtime = await getRuntime()
  const stripeConfig = runtime.config.stripe
  const access = stripeAccess(stripeConfig)
  if (!simulatorEnabled(stripeConfig) || !access) notFound()
  return { db: runtime.database.db, stripe: access.client, stripeConfig, appUrl: runtime.config.appUrl, log, now: () => new Date() }
}

/** What the simulated customer portal can make happen, as Stripe would on its own. */
export const PORTAL_EVENTS = ['invoice.payment_failed', 'invoice.paid', 'customer.subscription.deleted'] as const

export type OwnedWorkspace = { id: string; slug: string; name: string }

/** The workspace, if `ctx`'s person is its owner (the billing service decides); the 404 page for anyone else. */
async function owned(ctx: ServiceContext, workspace: { id: string; slug: string; name: string } | undefined): Promise<OwnedWorkspace> {
  if (!workspace) notFound()
  // Not a member, or a member who is not an owner: the page does not exist for them.
  await billing.overview({ ...ctx, workspace: workspace.slug }).catch((error: unknown) => {
    const code = toAppError(error).code
    if (code === 'NOT_FOUND' || code === 'FORBIDDEN') notFound()
    throw error
  })
  return { id: workspace.id, slug: workspace.slug, name: workspace.name }
}

/** The Checkout Session (from the stand-in) and the workspace it is for (its client_reference_id). */
export async function checkoutFor(ctx: ServiceContext, deps: SimulatorDeps, sessionId: string) {
  const session: Stripe.Checkout.Session | null = await deps.stripe.checkout.sessions.retrieve(sessionId).catch(() => null)
  if (!session?.client_reference_id || !/^[0-9a-f-]{36}$/i.test(session.client_reference_id)) notFound()
  const [workspace] = await deps.db.select().from(workspaces).where(eq(workspaces.id, session.client_reference_id))
  return { session, workspace: await owned(ctx, workspace) }
}

/** The workspace whose Stripe customer this is. */
export async function customerWorkspace(ctx: ServiceContext, deps: SimulatorDeps, customerId: string) {
  const [row] = await deps.db
    .select({ id: workspaces.id, slug: workspaces.slug, name: workspaces.name })
    .from(workspaceBilling)
    .innerJoin(workspaces, eq(workspaces.id, workspaceBilling.workspaceId))
    .where(eq(workspaceBilling.stripeCustomerId, customerId))
  return owned(ctx, row)
}
