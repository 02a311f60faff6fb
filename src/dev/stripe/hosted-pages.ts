// The stand-in's hosted pages, on the stand-in's own origin as Stripe's are on checkout.stripe.com and
// billing.stripe.com: Checkout (Pay completes the session) and the customer portal (its buttons make happen what Stripe
// would do on its own: a renewal failing, a retry succeeding, a cancellation). Each action changes the stand-in, then
// delivers the signed event to the app's webhook and sends the browser back to the app. Plain HTML forms, so they work
// with JavaScript off. The app's production build has no page that does any of this: only a signed event changes a plan.
import type { Delivered, StandInSubscription, SubscriptionEventType } from './standin'

type Json = Record<string, unknown>

/** What the pages need from the stand-in. */
export type HostedPageStore = {
  /** Whether the stand-in has a webhook to deliver to; without one there are no hosted pages. */
  enabled(): boolean
  checkoutSession(id: string): Json | null
  portalSession(id: string): { customer: string; returnUrl: string | null } | null
  latestSubscription(customer: string): StandInSubscription | null
  customerName(customer: string): string | null
  payCheckout(sessionId: string): Promise<Delivered>
  sendSubscriptionEvent(subscriptionId: string, type: SubscriptionEventType): Promise<Delivered>
}

export type HostedPage = { status: number; headers: Record<string, string>; body: string }

/** What the portal's buttons may make happen. */
const PORTAL_EVENTS: Record<string, { type: SubscriptionEventType; label: string }> = {
  fail: { type: 'invoice.payment_failed', label: 'Simulate a failed payment' },
  pay: { type: 'invoice.paid', label: 'Simulate a successful payment' },
  cancel: { type: 'customer.subscription.deleted', label: 'Cancel subscription' },
}

/**
 * The page for `method path`, or null when the path is not a hosted page (the API answers it). `form` is the posted
 * form's fields.
 */
export async function hostedPage(
  store: HostedPageStore,
  method: string,
  path: string,
  form: Record<string, unknown>,
): Promise<HostedPage | null> {
  const [, kind, id, extra] = path.split('/')
  if ((kind !== 'checkout' && kind !== 'portal') || !id || extra !== undefined) return null
  if (!store.enabled())
    return page(
      404,
      'Not here',
      '<p>This stand-in was started with no webhook (STRIPE_WEBHOOK_SECRET and APP_URL), so it has no hosted pages.</p>',
    )
  if (method !== 'GET' && method !== 'POST') return { status: 405, headers: { Allow: 'GET, POST' }, body: '' }
  return kind === 'checkout' ? checkout(store, method, decodeURIComponent(id)) : portal(store, method, decodeURIComponent(id), form)
}

async function checkout(store: HostedPageStore, method: string, id: string): Promise<HostedPage> {
  const session = store.checkoutSession(id)
  if (!session)
    return page(
      404,
      'No such checkout session',
      '<p>This checkout session does not exist (the stand-in forgets everything when it restarts).</p>',
    )
  const customer = typeof session.customer === 'string' ? session.customer : null
  const name = (customer && store.customerName(customer)) ?? 'your workspace'
  const cancelUrl = typeof session.cancel_url === 'string' ? session.cancel_url : null
  if (method === 'POST') {
    if (session.status !== 'open') return checkoutPage(session, name, cancelUrl, 409, 'This checkout session is no longer open.')
    const delivered = await store.payCheckout(id)
    if (delivered.webhookStatus !== 200) return undelivered(delivered)
    // Stripe fills in {CHECKOUT_SESSION_ID} in success_url; the app's does not use it, but a copy should behave alike.
    const success = typeof session.success_url === 'string' ? session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', id) : null
    return success ? redirect(success) : checkoutPage(session, name, cancelUrl, 200, 'Paid.')
  }
  return checkoutPage(session, name, cancelUrl, 200, null)
}

function checkoutPage(session: Json, name: string, cancelUrl: string | null, status: number, message: string | null): HostedPage {
  const open = session.status === 'open'
  return page(
    status,
    'Checkout (simulated)',
    `<p class="notice">This is the local Stripe stand-in: no card is asked for and no money moves.</p>
${message ? `<p role="status">${htmlText(message)}</p>` : ''}
<h2>Twofold Pro for ${htmlText(name)}</h2>
<p>Unlimited projects and members, billed monthly.</p>
${open ? '<form method="post"><button type="submit">Pay</button></form>' : `<p>This checkout session is ${htmlText(String(session.status))}.</p>`}
${cancelUrl ? `<p><a href="${htmlText(cancelUrl)}">Cancel and go back</a></p>` : ''}`,
  )
}

async function portal(store: HostedPageStore, method: string, id: string, form: Record<string, unknown>): Promise<HostedPage> {
  const session = store.portalSession(id)
  if (!session)
    return page(
      404,
      'No such portal session',
      '<p>This portal session does not exist (the stand-in forgets everything when it restarts).</p>',
    )
  const subscription = store.latestSubscription(session.customer)
  const live = subscription !== null && subscription.status !== 'canceled'
  if (method === 'POST') {
    const chosen = typeof form.event === 'string' ? PORTAL_EVENTS[form.event] : undefined
    if (!chosen || !subscription || !live) return page(400, 'Nothing to do', '<p>There is no live subscription, or no such action.</p>')
    const delivered = await store.sendSubscriptionEvent(subscription.id, chosen.type)
    if (delivered.webhookStatus !== 200) return undelivered(delivered)
    return redirect(session.returnUrl ?? `/portal/${encodeURIComponent(id)}`)
  }
  const button = (event: string) =>
    `<form method="post"><input type="hidden" name="event" value="${event}"><button type="submit">${htmlText(PORTAL_EVENTS[event]?.label ?? event)}</button></form>`
  return page(
    200,
    'Customer portal (simulated)',
    `<p class="notice">This is the local Stripe stand-in. Each button changes the subscription as Stripe would and sends the signed event to the app’s webhook.</p>
<h2>${htmlText(store.customerName(session.customer) ?? session.customer)}</h2>
<p>Subscription: ${subscription ? htmlText(subscription.status) : 'none'}</p>
${live ? [subscription.status === 'past_due' ? button('pay') : button('fail'), button('cancel')].join('\n') : '<p>No live subscription.</p>'}
${session.returnUrl ? `<p><a href="${htmlText(session.returnUrl)}">Return to Twofold</a></p>` : ''}`,
  )
}

/** The app's webhook refused the event: said plainly, since this is where a developer is looking. */
function undelivered(delivered: Delivered): HostedPage {
  return page(
    502,
    'The app refused the event',
    `<p role="alert">The app’s webhook answered ${delivered.webhookStatus} to ${htmlText(delivered.event)} (${htmlText(delivered.eventId)}): see its log. Is STRIPE_WEBHOOK_SECRET the same for the app and the stand-in?</p>`,
  )
}

function redirect(location: string): HostedPage {
  return { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' }, body: '' }
}

function page(status: number, title: string, content: string): HostedPage {
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${htmlText(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}.notice{background:#fff7d6;padding:.5rem .75rem}form{margin:.75rem 0}</style>
</head>
<body><main><h1>${htmlText(title)}</h1>
${content}
</main></body>
</html>
`
  return {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // The pages run no script. No form-action: Chromium would hold the redirect back to the app to it.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
    body,
  }
}

function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
