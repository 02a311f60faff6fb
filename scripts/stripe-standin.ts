// The local Stripe stand-in for `npm run dev`, so billing can be tried with no network and no Stripe account:
//   npm run stripe:standin          then, in .env.local (see .env.example):
//   STRIPE_SECRET_KEY=sk_test_standin  STRIPE_WEBHOOK_SECRET=whsec_standin  STRIPE_PRICE_PRO=price_pro
//   STRIPE_API_URL=http://127.0.0.1:12111
// STRIPE_STANDIN_PORT (default 12111) chooses where it listens. Its state is in memory: a restart forgets it.
// Like Stripe, it serves the hosted Checkout and customer portal pages on its own port; their buttons deliver signed
// events (STRIPE_WEBHOOK_SECRET, read from the same .env.local as the app) to {APP_URL}/api/webhooks/stripe.
import './load-env'
import { startStripeStandIn } from '../src/dev/stripe/standin'

const port = Number(process.env.STRIPE_STANDIN_PORT ?? 12111)
const appUrl = (process.env.APP_URL ?? 'http://localhost:3000').replace(/\/$/, '')
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET?.trim()
if (!webhookSecret) {
  console.error('The stand-in signs the events it delivers: set STRIPE_WEBHOOK_SECRET as the app has it (see .env.example).')
  process.exit(2)
}
const standIn = await startStripeStandIn({ port, webhook: { url: `${appUrl}/api/webhooks/stripe`, secret: webhookSecret } })
console.log(`Stripe stand-in at ${standIn.url} (any sk_test_… key), delivering events to ${appUrl}/api/webhooks/stripe`)

const stop = () => standIn.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
