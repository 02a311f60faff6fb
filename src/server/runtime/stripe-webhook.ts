// The Stripe webhook bound to the runtime: the database, the signing secret, the billing worker's nudge. Next-free,
// like runtime/api.ts; src/app/api/webhooks/stripe/route.ts re-exports it.
import { handleStripeWebhook } from '../billing/webhook'
import { toAppError } from '../errors'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { log } from '../log'
import { logged } from '../transports/api-call'
import { getApiRuntime, nudgeBillingWorker } from './index'

/** POST /api/webhooks/stripe, with the access line every API answer gets. */
export function stripeWebhook(request: Request): Promise<Response> {
  return logged(request, 'stripe.webhook', log, () => answerWebhook(request))
}

async function answerWebhook(request: Request): Promise<Response> {
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
