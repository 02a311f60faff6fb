// `npm run stripe:trigger -- <event> --workspace <slug>`: makes a billing event happen to a workspace in the local
// Stripe stand-in, which delivers it, signed, to the app's webhook, as Stripe would. Needs `npm run dev` (the route
// /api/dev/stripe/trigger exists in development builds only) and `npm run stripe:standin` running with the stand-in
// values of .env.example. Events, in the order a story goes:
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
const isProblem = response.headers.get('content-type')?.includes('application/problem+json') ?? false
// Next's page for a path it does not have is not a problem document; our own answers (no such workspace, no
// subscription yet, a bad event name) are, and say what went wrong.
if (response.status === 404 && !isProblem) {
  console.error('The app has no /api/dev/stripe/trigger: it exists only under `npm run dev`, never in a production build.')
  process.exit(1)
}
if (!response.ok) {
  console.error(isProblem ? problemText(body) : `The app answered ${response.status}: ${body}`)
  process.exit(1)
}
console.log(body)

/** "Workspace acme not found.", with each field's message for a validation failure. */
function problemText(text: string): string {
  try {
    const problem: { detail?: unknown; title?: unknown; errors?: Record<string, unknown> } = JSON.parse(text)
    const lines = [String(problem.detail ?? problem.title ?? text)]
    for (const [field, messages] of Object.entries(problem.errors ?? {})) lines.push(`  ${field}: ${[messages].flat().join(' ')}`)
    return lines.join('\n')
  } catch {
    return text
  }
}
