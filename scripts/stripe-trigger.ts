// `npm run stripe:trigger -- <event> --workspace <slug>`: makes a billing event happen to a workspace in the local
// Stripe stand-in and delivers it, signed, to the app's webhook, as Stripe would. Needs `npm run dev` and
// `npm run stripe:standin` running with the stand-in values of .env.example. Events, in the order a story goes:
//   checkout.session.completed       the workspace subscribes to Pro (customer, checkout session, subscription)
//   invoice.payment_failed           a renewal fails: the subscription is past_due
//   invoice.paid                     the retry succeeds: active again
//   customer.subscription.updated    (re)sends the subscription as it is; .created likewise
//   customer.subscription.deleted    the subscription is canceled
import './load-env'
import { parseArgs } from 'node:util'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { workspace: { type: 'string', short: 'w' } } })
const [event] = positionals
if (!event || !values.workspace) {
  console.error('usage: npm run stripe:trigger -- <event> --workspace <slug>   (see scripts/stripe-trigger.ts for the events)')
  process.exit(2)
}
const appUrl = (process.env.APP_URL ?? 'http://localhost:3000').replace(/\/$/, '')
const response = await fetch(`${appUrl}/api/dev/stripe/trigger`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ event, workspace: values.workspace }),
}).catch((error: unknown) => {
  console.error(`The app is not answering at ${appUrl} (npm run dev): ${error instanceof Error ? error.message : error}`)
  process.exit(1)
})
const body = await response.text()
if (response.status === 404) {
  console.error('The app has no simulator: it runs in development only, with STRIPE_SECRET_KEY and STRIPE_API_URL set (see .env.example).')
  process.exit(1)
}
console.log(body)
if (!response.ok) process.exit(1)
