// The local Stripe stand-in for `npm run dev`, so billing can be tried with no network and no Stripe account:
//   npm run stripe:standin          then, in .env.local (see .env.example):
//   STRIPE_SECRET_KEY=sk_test_standin  STRIPE_WEBHOOK_SECRET=whsec_standin  STRIPE_PRICE_PRO=price_pro
//   STRIPE_API_URL=http://127.0.0.1:12111
// STRIPE_STANDIN_PORT (default 12111) chooses where it listens. Its state is in memory: a restart forgets it.
// Its Checkout and customer portal pages are the app's simulator pages (/dev/stripe/…) at APP_URL.
import './load-env'
import { startStripeStandIn } from '../src/server/billing/stripe-standin'

const port = Number(process.env.STRIPE_STANDIN_PORT ?? 12111)
const appUrl = (process.env.APP_URL ?? 'http://localhost:3000').replace(/\/$/, '')
const standIn = await startStripeStandIn({
  port,
  checkoutUrl: `${appUrl}/dev/stripe/checkout/{id}`,
  portalUrl: `${appUrl}/dev/stripe/portal/{customer}`,
})
console.log(`Stripe stand-in at ${standIn.url} (any sk_test_… key)`)

const stop = () => standIn.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
