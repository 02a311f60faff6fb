// POST /api/webhooks/stripe, Next-free: verify the signature on the raw body, record the event, answer. Applying it is
// the billing worker's job (services/billing.ts), off the request path.
import Stripe from 'stripe'
import type { Db } from '../db/client'
import { BadRequest, toAppError, Unavailable } from '../errors'
import { readRawBody } from '../http/body'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import type { Logger } from '../log'
import { recordStripeEvent } from '../services/billing'

export type WebhookDeps = {
  db: Db
  /** STRIPE_WEBHOOK_SECRET; null when not configured: every event is refused (503), so Stripe keeps it for later. */
  webhookSecret: string | null
  log: Logger
  now: () => Date
  /** Called once an event is newly recorded: wakes the billing worker. */
  recorded?: () => void
}

/** Stripe's events are a few kilobytes; anything far larger is not Stripe. */
const MAX_BODY_BYTES = 512 * 1024

/** How far a signature's time may be from ours, either way (Stripe's default tolerance, which checks only age). */
export const SIGNATURE_TOLERANCE_SECONDS = 300

/**
 * The signature's time (`t=`), read as the SDK reads it (the last `t` wins, as an integer), so the time checked here
 * is the one the verified signature covers; null when there is none.
 */
function signedAt(header: string): number | null {
  let timestamp: number | null = null
  for (const item of header.split(',')) {
    const [key, value] = item.split('=')
    if (key === 't') timestamp = Number.parseInt(value ?? '', 10)
  }
  return timestamp === null || Number.isNaN(timestamp) ? null : timestamp
}

/**
 * 413 for a body larger than any Stripe event; 400 (nothing written) for a missing, malformed or wrong signature, a
 * body that is not the signed one, a signature more than 300 s old or more than 300 s ahead of our clock (the SDK checks
 * only age; a signature from the future would stay replayable for as long as it is ahead). 200 once the event is
 * durably recorded, and for a duplicate, which writes nothing. A failure to record answers 500 (or 503 when the database is unreachable), so Stripe retries.
 */
export async function handleStripeWebhook(request: Request, deps: WebhookDeps): Promise<Response> {
  const requestId = requestIdFrom(request.headers)
  if (!deps.webhookSecret) {
    deps.log.warn('stripe webhook received but STRIPE_WEBHOOK_SECRET is not set: refused, Stripe will retry', { requestId })
    return problemResponse(new Unavailable(60), requestId)
  }
  const signature = request.headers.get('stripe-signature')
  if (!signature) return problemResponse(new BadRequest('The Stripe-Signature header is missing.'), requestId)
  let payload: Buffer
  try {
    payload = await readRawBody(request, MAX_BODY_BYTES)
  } catch (error) {
    return problemResponse(toAppError(error), requestId)
  }

  const refuse = (reason: string) => {
    deps.log.warn('stripe webhook refused', { requestId, reason })
    return problemResponse(new BadRequest(`The Stripe signature does not verify: ${reason}`), requestId)
  }
  let event: Stripe.Event
  const receivedAt = deps.now().getTime()
  try {
    // Static: verifying needs the signing secret only, no API key and no call to Stripe.
    event = Stripe.webhooks.constructEvent(payload, signature, deps.webhookSecret, SIGNATURE_TOLERANCE_SECONDS, undefined, receivedAt)
  } catch (error) {
    return refuse(error instanceof Stripe.errors.StripeSignatureVerificationError ? error.message : 'The body is not a Stripe event.')
  }
  // Verified, so the signature has a time: the SDK refused it if too old; here, if too far ahead.
  const ahead = (signedAt(signature) ?? 0) - Math.floor(receivedAt / 1000)
  if (ahead > SIGNATURE_TOLERANCE_SECONDS) return refuse('Timestamp ahead of our clock by more than the tolerance')

  try {
    const { recorded } = await recordStripeEvent(deps.db, event, deps.now())
    if (recorded) deps.recorded?.()
    return Response.json({ received: true, duplicate: !recorded }, { headers: { 'Cache-Control': 'no-store', 'X-Request-Id': requestId } })
  } catch (error) {
    const appError = toAppError(error)
    deps.log.error('stripe event not recorded: answered with an error so Stripe retries', {
      requestId,
      eventId: event.id,
      type: event.type,
      error,
    })
    return problemResponse(appError, requestId)
  }
}
