// The billing operations: the billing page's two buttons, each a server action that sends an owner to Stripe. Never
// served over the public API: a token is a workspace credential for programs, and paying is a person's act.
import * as billing from '../services/workspace-billing'
import { operation } from './operation'

export const startCheckout = operation({
  name: 'billing.checkout',
  summary: 'Upgrade the workspace to Pro through Stripe Checkout',
  tag: 'Billing',
  input: billing.StartCheckoutInput,
  output: billing.StripeRedirect,
  scope: null,
  role: 'owner',
  run: billing.startCheckout,
})

export const openBillingPortal = operation({
  name: 'billing.portal',
  summary: 'Open the Stripe customer portal for the workspace',
  tag: 'Billing',
  input: billing.OpenPortalInput,
  output: billing.StripeRedirect,
  scope: null,
  role: 'owner',
  run: billing.openPortal,
})
