// `npm run stripe:trigger` (development only): POST /api/dev/stripe/trigger {event, workspace} asks the Stripe stand-in
// to make `event` happen to the workspace's subscription, as Stripe would on its own, and to deliver the signed event
// to our webhook. The app learns of it only through that event; this route only finds the workspace's customer and
// subscription, which the stand-in cannot know by slug. Served by src/app/api/dev/stripe/trigger/route.dev.ts, which only
// `next dev` compiles: a production build has no such route.
import { eq } from 'drizzle-orm'
import type Stripe from 'stripe'
import { z } from 'zod'
import { createStripeClient } from '../../server/billing/stripe-client'
import type { StripeConfig } from '../../server/config'
import type { Db } from '../../server/db/client'
import { workspaceBilling, workspaces } from '../../server/db/schema'
import { BadRequest, NotFound, toAppError, ValidationError } from '../../server/errors'
import { readJsonObject } from '../../server/http/body'
import { problemResponse } from '../../server/http/problem'
import { requestIdFrom } from '../../server/http/request-id'
import { log } from '../../server/log'
import { getApiRuntime } from '../../server/runtime'
import { ensureStripeCustomer, HANDLED_EVENT_TYPES } from '../../server/services/billing'
import type { Delivered } from './standin'

export const TriggerInput = z.object({
  event: z.enum(HANDLED_EVENT_TYPES),
  workspace: z.string().min(1).max(100),
})
export type TriggerInput = z.infer<typeof TriggerInput>

export type TriggerDeps = { db: Db; stripe: Stripe; stripeConfig: StripeConfig; appUrl: string; now: () => Date }

/** Makes `input.event` happen to the workspace in the stand-in, which delivers the signed event to our webhook. */
export async function triggerEvent(deps: TriggerDeps, input: TriggerInput): Promise<Delivered> {
  const { stripe, stripeConfig } = deps
  const [workspace] = await deps.db.select().from(workspaces).where(eq(workspaces.slug, input.workspace))
  if (!workspace) throw new NotFound(`Workspace ${input.workspace}`)
  if (input.event === 'checkout.session.completed') {
    // As the app's Upgrade would open it; then paid, as on the stand-in's Checkout page.
    const customer = await ensureStripeCustomer(deps, workspace)
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: workspace.id,
      line_items: [{ price: stripeConfig.pricePro ?? 'price_pro', quantity: 1 }],
      subscription_data: { metadata: { workspace_id: workspace.id } },
      success_url: `${deps.appUrl}/w/${workspace.slug}/settings/billing?checkout=success`,
    })
    return standInControl(stripeConfig, `/_standin/checkout_sessions/${encodeURIComponent(session.id)}/pay`, {})
  }
  const [billing] = await deps.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, workspace.id))
  const subscription = billing?.stripeSubscriptionId
  if (!subscription) throw new BadRequest(`${input.workspace} has no subscription yet: trigger checkout.session.completed first.`)
  return standInControl(stripeConfig, `/_standin/subscriptions/${encodeURIComponent(subscription)}/events`, { type: input.event })
}

/** The stand-in's own controls (not Stripe's API), with the same key as the API. */
async function standInControl(stripeConfig: StripeConfig, path: string, params: Record<string, string>): Promise<Delivered> {
  if (!stripeConfig.apiUrl) throw new BadRequest('The trigger needs the Stripe stand-in: set STRIPE_API_URL (see .env.example).')
  const response = await fetch(`${stripeConfig.apiUrl}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stripeConfig.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })
  if (!response.ok) throw new BadRequest(`The stand-in refused ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Delivered
}

/** The route: a JSON body, so a page on another origin cannot send it without a preflight it would not pass. */
export async function devStripeTrigger(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request.headers)
  try {
    const runtime = await getApiRuntime()
    const stripeConfig = runtime.config.stripe
    const stripe = createStripeClient(stripeConfig, { maxNetworkRetries: 0 })
    if (!stripeConfig?.apiUrl || !stripe) {
      throw new BadRequest('The trigger needs the Stripe stand-in: set STRIPE_SECRET_KEY and STRIPE_API_URL (see .env.example).')
    }
    const parsed = TriggerInput.safeParse(await readJsonObject(request))
    if (!parsed.success) throw ValidationError.fromZod(parsed.error)
    const result = await triggerEvent(
      { db: runtime.database.db, stripe, stripeConfig, appUrl: runtime.config.appUrl, now: () => new Date() },
      parsed.data,
    )
    log.info('stripe trigger delivered', { ...result })
    return Response.json(result, { headers: { 'Cache-Control': 'no-store' } })
  } catch (error) {
    const appError = toAppError(error)
    if (appError.code === 'INTERNAL') log.error('stripe trigger failed', { requestId, error })
    return problemResponse(appError, requestId)
  }
}
