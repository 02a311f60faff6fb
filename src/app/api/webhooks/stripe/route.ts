// Stripe's events (src/server/billing/webhook.ts): verified, recorded, applied later by the billing worker.
import { stripeWebhook } from '@/server/runtime/stripe-webhook'

export const dynamic = 'force-dynamic'

export const POST = stripeWebhook
