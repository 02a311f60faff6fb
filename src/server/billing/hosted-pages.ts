// Where Stripe's hosted pages live, for the pages' `form-action`: with JavaScript off, "Upgrade" and "Manage billing"
// answer with a redirect to Checkout or the customer portal, and Chromium holds every redirect of a form submission to
// that directive. Kept apart from the SDK so the proxy can read it without loading Stripe.
import type { StripeConfig } from '../config'

export function stripeHostedOrigins(stripe: StripeConfig | null): string[] {
  if (!stripe) return []
  // Against the stand-in (development and tests), its Checkout and portal pages are on its own origin, as Stripe's are on its.
  if (stripe.apiUrl) return [new URL(stripe.apiUrl).origin]
  return ['https://checkout.stripe.com', 'https://billing.stripe.com']
}
