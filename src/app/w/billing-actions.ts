'use server'
// The billing page's buttons, each an operation adapted to a server action that ends in a redirect to Stripe's hosted
// page (Checkout, the customer portal): a plain form post and a 303, so they work with JavaScript off.
import { openBillingPortal, startCheckout } from '@/server/operations/billing'
import { nextAction } from '@/server/runtime/next'

export const startCheckoutAction = nextAction(startCheckout, { redirectTo: (session) => session.url })

export const openBillingPortalAction = nextAction(openBillingPortal, { redirectTo: (session) => session.url })
