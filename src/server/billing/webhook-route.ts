// The Stripe webhook (and the development simulator's trigger) bound to the runtime: the database, the signing secret, the billing worker's nudge. Next-free,
// like operations/route-deps.ts; src/app/api/webhooks/stripe/route.ts re-exports it.
import { toAppError, ValidationError } from '../errors'
import { readJsonObject } from '../http/body'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { log } from '../log'
import { getApiRuntime, nudgeBillingWorker } from '../runtime'
import { TriggerInput, triggerEvent } from './simulator'
import { handleStripeWebhook } from './webhook'

export async function stripeWebhook(request: Request): Promise<Response> {
  let runtime: Awaited<ReturnType<typeof getApiRuntime>>
  try {
    runtime = await getApiRuntime()
  } catch (error) {
    // The database is not open: 503, and Stripe delivers the event again later.
    return problemResponse(toAppError(error), requestIdFrom(request.headers))
  }
  return handleStripeWebhook(request, {
    db: runtime.database.db,
    webhookSecret: runtime.config.stripe?.webhookSecret ?? null,
    log,
    now: () => new Date(),
    recorded: nudgeBillingWorker,
  })
}

/**
 * POST /api/dev/stripe/trigger {event, workspace}: the simulator (billing/simulator.ts) for `npm run stripe:trigger`.
 * Development only (404 otherwise), and only against the stand-in. A JSON body, so a page on another origin cannot
 * send it without a preflight it would not pass.
 */
export async function devStripeTrigger(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request.headers)
  try {
    const runtime = await getApiRuntime()
    const stripeConfig = runtime.config.stripe
    if (runtime.config.env !== 'development' || !stripeConfig) return new Response(null, { status: 404 })
    const parsed = TriggerInput.safeParse(await readJsonObject(request))
    if (!parsed.success) throw ValidationError.fromZod(parsed.error)
    const { createStripeClient } = await import('./stripe-client')
    const stripe = createStripeClient(stripeConfig, { maxNetworkRetries: 0 })
    if (!stripe) return new Response(null, { status: 404 })
    const result = await triggerEvent(
      { db: runtime.database.db, stripe, stripeConfig, appUrl: runtime.config.appUrl, log, now: () => new Date() },
      parsed.data,
    )
    return Response.json(result, { headers: { 'Cache-Control': 'no-store' } })
  } catch (error) {
    const appError = toAppError(error)
    if (appError.code === 'INTERNAL') log.error('stripe trigger failed', { requestId, error })
    return problemResponse(appError, requestId)
  }
}
