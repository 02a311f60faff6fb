// A local stand-in for the part of Stripe's API that Twofold calls, so tests and offline development need no
// network: reached through the official SDK's host/port/protocol options, form-encoded requests in, Stripe-shaped
// JSON and errors out, Idempotency-Key honoured. State lives in memory and dies with the process.
// Like Stripe, it also serves the hosted Checkout and customer portal pages on its own origin (hosted-pages.ts): paying
// there completes the session and delivers the signed event to the app's webhook, the only way the app learns of it.
// Development and tests only (src/dev): no production module imports it.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { STRIPE_API_VERSION } from '../../server/billing/stripe-client'
import { type HostedPageStore, hostedPage } from './hosted-pages'

type Json = Record<string, unknown>
type Params = { [key: string]: string | Params | Params[] | string[] }

export type StandInSubscription = {
  id: string
  object: 'subscription'
  customer: string
  status: Stripe.Subscription.Status
  cancel_at_period_end: boolean
  canceled_at: number | null
  created: number
  metadata: Record<string, string>
  items: { object: 'list'; data: Json[]; has_more: false; url: string }
  livemode: false
}

export type StripeStandIn = {
  /** The origin to hand the SDK (STRIPE_API_URL), e.g. http://127.0.0.1:41234. */
  url: string
  port: number
  /** Every request received, in order, with its decoded parameters: tests assert what the app sent. */
  requests: { method: string; path: string; params: Params; idempotencyKey: string | null }[]
  customers: Map<string, Json>
  checkoutSessions: Map<string, Json>
  subscriptions: Map<string, StandInSubscription>
  /** The next `times` requests matching `method path` answer 500 api_error (Stripe having a bad moment). */
  failNext(method: string, path: string, times?: number): void
  /**
   * What Stripe does on its own: a renewal that failed (past_due), a payment that succeeded (active), … From another
   * process: POST /_standin/subscriptions/{id} with status=… (not part of Stripe's API).
   */
  setSubscriptionStatus(id: string, status: Stripe.Subscription.Status): StandInSubscription
  /**
   * What paying on the hosted Checkout page does: the subscription is created for the session's customer, the session
   * completes, and checkout.session.completed is delivered, signed, to the webhook. From another process:
   * POST /_standin/checkout_sessions/{id}/pay. Needs the `webhook` option.
   */
  payCheckout(sessionId: string): Promise<Delivered>
  /**
   * Makes `type` happen to the subscription as Stripe would (a renewal failing or paid, a cancellation, …) and delivers
   * the signed event. From another process: POST /_standin/subscriptions/{id}/events with type=…. Needs `webhook`.
   */
  sendSubscriptionEvent(subscriptionId: string, type: SubscriptionEventType): Promise<Delivered>
  close(): Promise<void>
}

/** What the stand-in makes happen to a subscription by itself, on the portal page or when asked by `stripe:trigger`. */
export const SUBSCRIPTION_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const
export type SubscriptionEventType = (typeof SUBSCRIPTION_EVENT_TYPES)[number]

/** An event delivered to the webhook, and the webhook's answer. */
export type Delivered = { event: string; eventId: string; subscription: string; webhookStatus: number }

export type StandInOptions = {
  port?: number
  host?: string
  /** Only this key is accepted (any sk_test_… if unset). */
  secretKey?: string
  /**
   * Where the stand-in delivers its events (the app's {APP_URL}/api/webhooks/stripe) and the signing secret shared with
   * the app (STRIPE_WEBHOOK_SECRET). Without it the hosted pages and the event controls answer 404.
   */
  webhook?: { url: string; secret: string }
  now?: () => Date
}

const MONTH_SECONDS = 30 * 24 * 60 * 60
/** What every price costs in the stand-in: 12.00 USD a month. */
export const STANDIN_PRICE = { currency: 'usd', unitAmount: 1200 } as const
const SUBSCRIPTION_STATUSES = new Set([
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
])

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message)
  }
}

const missing = (kind: string, id: string, param = 'id') =>
  new StripeApiError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', param)

export async function startStripeStandIn(options: StandInOptions = {}): Promise<StripeStandIn> {
  const now = options.now ?? (() => new Date())
  const seconds = () => Math.floor(now().getTime() / 1000)
  const customers = new Map<string, Json>()
  const checkoutSessions = new Map<string, Json>()
  // What a session's payment will subscribe to: Stripe keeps line_items and subscription_data off the session object.
  const checkoutOrders = new Map<string, { price: string; metadata: Record<string, string> }>()
  const portalSessions = new Map<string, { customer: string; returnUrl: string | null }>()
  const subscriptions = new Map<string, StandInSubscription>()
  const requests: StripeStandIn['requests'] = []
  const failures = new Map<string, number>()
  // Stripe keeps an idempotent answer for 24 hours; the stand-in for its lifetime.
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string }>()
  let base = ''

  const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`

  function createSubscription(customer: string, params: Params): StandInSubscription {
    if (!customers.has(customer)) throw missing('customer', customer, 'customer')
    const items = Array.isArray(params.items) ? params.items : []
    const first = items[0]
    const price = first && typeof first === 'object' && typeof first.price === 'string' ? first.price : null
    if (!price)
      throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: items[0][price].', 'parameter_missing', 'items')
    const start = seconds()
    const id = newId('sub')
    const subscription: StandInSubscription = {
      id,
      object: 'subscription',
      customer,
      status: 'active',
      cancel_at_period_end: false,
      canceled_at: null,
      created: start,
      metadata: stringMap(params.metadata),
      items: {
        object: 'list',
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            subscription: id,
            quantity: 1,
            price: { id: price, object: 'price', recurring: { interval: 'month', interval_count: 1 } },
            current_period_start: start,
            current_period_end: start + MONTH_SECONDS,
          },
        ],
      },
      livemode: false,
    }
    subscriptions.set(id, subscription)
    return subscription
  }

  function setStatus(id: string, status: Stripe.Subscription.Status): StandInSubscription {
    const subscription = subscriptionOf(id)
    subscription.status = status
    if (status === 'canceled') subscription.canceled_at = seconds()
    return subscription
  }

  function subscriptionOf(id: string): StandInSubscription {
    const found = subscriptions.get(id)
    if (!found) throw missing('subscription', id)
    return found
  }

  function route(method: string, path: string, params: Params): Json | StandInSubscription {
    const [, v1, resource, id, action] = path.split('/')
    // Not Stripe's: what Stripe does on its own (a renewal failing, a retry succeeding), for a simulator in another process.
    if (v1 === '_standin' && resource === 'subscriptions' && id && !action && method === 'POST') {
      if (typeof params.status !== 'string' || !SUBSCRIPTION_STATUSES.has(params.status)) {
        throw new StripeApiError(400, 'invalid_request_error', 'Invalid status.', 'parameter_invalid_string', 'status')
      }
      return setStatus(id, params.status as Stripe.Subscription.Status)
    }
    if (v1 !== 'v1') throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`)
    if (resource === 'customers' && !id && method === 'POST') {
      const customer = {
        id: newId('cus'),
        object: 'customer',
        created: seconds(),
        email: stringOrNull(params.email),
        name: stringOrNull(params.name),
        metadata: stringMap(params.metadata),
        livemode: false,
      }
      customers.set(customer.id, customer)
      return customer
    }
    if (resource === 'customers' && id && !action && method === 'GET') {
      const customer = customers.get(id)
      if (!customer) throw missing('customer', id)
      return customer
    }
    if (resource === 'prices' && id && !action && method === 'GET') {
      // Any price id the app is configured with (STRIPE_PRICE_PRO=price_…) is Pro at STANDIN_PRICE a month.
      if (!id.startsWith('price_')) throw missing('price', id)
      return {
        id,
        object: 'price',
        active: true,
        currency: STANDIN_PRICE.currency,
        unit_amount: STANDIN_PRICE.unitAmount,
        recurring: { interval: 'month', interval_count: 1 },
        type: 'recurring',
        product: 'prod_standin_pro',
        livemode: false,
      }
    }
    if (resource === 'checkout' && id === 'sessions' && !action && method === 'POST') {
      const customer = stringOrNull(params.customer)
      if (customer && !customers.has(customer)) throw missing('customer', customer, 'customer')
      if (params.mode !== 'subscription' && params.mode !== 'payment' && params.mode !== 'setup') {
        throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: mode.', 'parameter_missing', 'mode')
      }
      const sessionId = newId('cs_test')
      const session = {
        id: sessionId,
        object: 'checkout.session',
        created: seconds(),
        mode: params.mode,
        status: 'open',
        payment_status: 'unpaid',
        customer,
        client_reference_id: stringOrNull(params.client_reference_id),
        success_url: stringOrNull(params.success_url),
        cancel_url: stringOrNull(params.cancel_url),
        metadata: stringMap(params.metadata),
        subscription: null,
        url: `${base}/checkout/${sessionId}`,
        livemode: false,
      }
      checkoutSessions.set(sessionId, session)
      const items = Array.isArray(params.line_items) ? params.line_items : []
      const first = items[0]
      const subscriptionData = params.subscription_data
      checkoutOrders.set(sessionId, {
        price: first && typeof first === 'object' && typeof first.price === 'string' ? first.price : '',
        metadata: stringMap(
          subscriptionData && !Array.isArray(subscriptionData) && typeof subscriptionData === 'object'
            ? subscriptionData.metadata
            : undefined,
        ),
      })
      return session
    }
    if (resource === 'checkout' && id === 'sessions' && action && method === 'GET') {
      const session = checkoutSessions.get(action)
      if (!session) throw missing('checkout.session', action)
      return session
    }
    if (resource === 'billing_portal' && id === 'sessions' && !action && method === 'POST') {
      const customer = stringOrNull(params.customer)
      if (!customer)
        throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: customer.', 'parameter_missing', 'customer')
      if (!customers.has(customer)) throw missing('customer', customer, 'customer')
      const sessionId = newId('bps')
      portalSessions.set(sessionId, { customer, returnUrl: stringOrNull(params.return_url) })
      return {
        id: sessionId,
        object: 'billing_portal.session',
        created: seconds(),
        customer,
        return_url: stringOrNull(params.return_url),
        url: `${base}/portal/${sessionId}`,
        livemode: false,
      }
    }
    if (resource === 'subscriptions' && !id && method === 'POST') {
      const customer = stringOrNull(params.customer)
      if (!customer)
        throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: customer.', 'parameter_missing', 'customer')
      return createSubscription(customer, params)
    }
    if (resource === 'subscriptions' && id && !action) {
      const subscription = subscriptionOf(id)
      if (method === 'GET') return subscription
      if (method === 'POST') {
        if (subscription.status === 'canceled') {
          throw new StripeApiError(
            400,
            'invalid_request_error',
            'A canceled subscription can only update its cancellation_details and metadata.',
          )
        }
        if (params.cancel_at_period_end !== undefined) subscription.cancel_at_period_end = params.cancel_at_period_end === 'true'
        if (params.metadata !== undefined) subscription.metadata = { ...subscription.metadata, ...stringMap(params.metadata) }
        return subscription
      }
      if (method === 'DELETE') {
        subscription.status = 'canceled'
        subscription.canceled_at = seconds()
        return subscription
      }
    }
    throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`)
  }

  function webhookOrMissing(): { url: string; secret: string } {
    if (!options.webhook) throw new StripeApiError(404, 'invalid_request_error', 'The stand-in was started with no webhook to deliver to.')
    return options.webhook
  }

  async function deliver(type: string, object: Json | StandInSubscription, subscription: string): Promise<Delivered> {
    const webhook = webhookOrMissing()
    const signed = signEvent(webhook.secret, type, object)
    const response = await deliverEvent(webhook.url, signed)
    await response.body?.cancel()
    return { event: type, eventId: signed.event.id, subscription, webhookStatus: response.status }
  }

  async function payCheckout(sessionId: string): Promise<Delivered> {
    webhookOrMissing()
    const session = checkoutSessions.get(sessionId)
    const order = checkoutOrders.get(sessionId)
    if (!session || !order) throw missing('checkout.session', sessionId)
    const customer = stringOrNull(session.customer as string | undefined)
    if (session.mode !== 'subscription' || !customer || !order.price) {
      throw new StripeApiError(400, 'invalid_request_error', 'Only a subscription session with a customer and a price can be paid here.')
    }
    if (session.status !== 'open') throw new StripeApiError(400, 'invalid_request_error', 'This checkout session is no longer open.')
    const subscription = createSubscription(customer, { items: [{ price: order.price }], metadata: order.metadata })
    Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id })
    return deliver('checkout.session.completed', session, subscription.id)
  }

  async function sendSubscriptionEvent(subscriptionId: string, type: SubscriptionEventType): Promise<Delivered> {
    webhookOrMissing()
    const subscription = subscriptionOf(subscriptionId)
    if (type === 'customer.subscription.deleted') setStatus(subscriptionId, 'canceled')
    if (type === 'invoice.paid' || type === 'invoice.payment_failed') {
      setStatus(subscriptionId, type === 'invoice.paid' ? 'active' : 'past_due')
      const invoice = {
        id: newId('in'),
        object: 'invoice',
        customer: subscription.customer,
        status: type === 'invoice.paid' ? 'paid' : 'open',
        parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id, metadata: {} } },
      }
      return deliver(type, invoice, subscription.id)
    }
    return deliver(type, subscription, subscription.id)
  }

  /** The stand-in's own controls (not Stripe's API) that deliver an event, for `npm run stripe:trigger` in another process. */
  async function control(method: string, path: string, params: Params): Promise<Delivered | null> {
    const [, prefix, resource, id, action] = path.split('/')
    if (prefix !== '_standin' || method !== 'POST' || !id) return null
    if (resource === 'checkout_sessions' && action === 'pay') return payCheckout(id)
    if (resource === 'subscriptions' && action === 'events') {
      const type = SUBSCRIPTION_EVENT_TYPES.find((known) => known === params.type)
      if (!type) throw new StripeApiError(400, 'invalid_request_error', 'Invalid type.', 'parameter_invalid_string', 'type')
      return sendSubscriptionEvent(id, type)
    }
    return null
  }

  const hostedStore: HostedPageStore = {
    enabled: () => Boolean(options.webhook),
    checkoutSession: (id) => checkoutSessions.get(id) ?? null,
    portalSession: (id) => portalSessions.get(id) ?? null,
    latestSubscription: (customer) => [...subscriptions.values()].filter((s) => s.customer === customer).at(-1) ?? null,
    customerName: (customer) => stringOrNull(customers.get(customer)?.name as string | undefined),
    payCheckout,
    sendSubscriptionEvent,
  }

  function answer(method: string, path: string, params: Params): { status: number; body: string } {
    const key = `${method} ${path}`
    const failing = failures.get(key) ?? 0
    if (failing > 0) {
      failures.set(key, failing - 1)
      return errorBody(new StripeApiError(500, 'api_error', 'The stand-in was told to fail this request.'))
    }
    try {
      return { status: 200, body: JSON.stringify(route(method, path, params)) }
    } catch (error) {
      if (error instanceof StripeApiError) return errorBody(error)
      throw error
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET'
    const url = new URL(request.url ?? '/', 'http://stand-in')
    const body = await readBody(request)
    const params = parseForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body)
    const idempotencyKey = header(request, 'idempotency-key')
    const send = (status: number, text: string, extra: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'application/json', 'Stripe-Version': STRIPE_API_VERSION, ...extra })
      response.end(text)
    }
    // Stripe's hosted pages are on its own origin and need no API key: the session id in the address is the capability.
    const page = await hostedPage(hostedStore, method, url.pathname, parseForm(method === 'POST' ? body : ''))
    if (page) {
      response.writeHead(page.status, page.headers)
      response.end(page.body)
      return
    }
    const authorization = header(request, 'authorization') ?? ''
    // The SDK sends a bearer token; curl -u sk_test_…: sends Basic, which Stripe accepts too.
    const apiKey = authorization.startsWith('Bearer ')
      ? authorization.slice(7)
      : authorization.startsWith('Basic ')
        ? Buffer.from(authorization.slice(6), 'base64').toString('utf8').replace(/:.*$/, '')
        : ''
    if (!(options.secretKey ? apiKey === options.secretKey : apiKey.startsWith('sk_test_'))) {
      const { status, body: text } = errorBody(new StripeApiError(401, 'invalid_request_error', 'Invalid API Key provided.'))
      send(status, text)
      return
    }
    requests.push({ method, path: url.pathname, params, idempotencyKey })
    try {
      const delivered = await control(method, url.pathname, params)
      if (delivered) {
        send(200, JSON.stringify(delivered))
        return
      }
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error
      const failed = errorBody(error)
      send(failed.status, failed.body)
      return
    }
    if (idempotencyKey && method === 'POST') {
      const stored = `${apiKey} ${idempotencyKey}`
      const fingerprint = `${method} ${url.pathname} ${body}`
      const previous = idempotent.get(stored)
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          const mismatch = errorBody(
            new StripeApiError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            ),
          )
          send(mismatch.status, mismatch.body)
          return
        }
        send(previous.status, previous.body, { 'Idempotent-Replayed': 'true', 'Idempotency-Key': idempotencyKey })
        return
      }
      const result = answer(method, url.pathname, params)
      // Stripe does not keep answers to requests that failed on its side (500): those may be retried with the key.
      if (result.status < 500) idempotent.set(stored, { fingerprint, ...result })
      send(result.status, result.body, { 'Idempotency-Key': idempotencyKey })
      return
    }
    const result = answer(method, url.pathname, params)
    send(result.status, result.body)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const { status, body } = errorBody(new StripeApiError(500, 'api_error', error instanceof Error ? error.message : 'stand-in error'))
      if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'application/json' })
      response.end(body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  base = `http://${options.host ?? '127.0.0.1'}:${port}`

  return {
    url: base,
    port,
    requests,
    customers,
    checkoutSessions,
    subscriptions,
    failNext(method, path, times = 1) {
      failures.set(`${method} ${path}`, times)
    },
    setSubscriptionStatus: setStatus,
    payCheckout,
    sendSubscriptionEvent,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

function errorBody(error: StripeApiError): { status: number; body: string } {
  const detail: Json = { type: error.type, message: error.message }
  if (error.code) detail.code = error.code
  if (error.param) detail.param = error.param
  return { status: error.status, body: JSON.stringify({ error: detail }) }
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name]
  return typeof value === 'string' ? value : null
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Decodes the SDK's form encoding: `metadata[workspace_id]=…`, `line_items[0][price]=…`, `expand[]=…`. */
export function parseForm(body: string): Params {
  const root: Params = {}
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const [head = '', ...rest] = rawKey.split('[')
    const path = [head, ...rest.map((part) => part.replace(/\]$/, ''))]
    let node: Params | Params[] | string[] = root
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] ?? ''
      const last = i === path.length - 1
      const nextIsIndex = !last && /^\d*$/.test(path[i + 1] ?? '')
      const container: Record<string, unknown> = node as unknown as Record<string, unknown>
      const key = segment === '' && Array.isArray(node) ? String(node.length) : segment
      if (last) {
        container[key] = value
        break
      }
      container[key] ??= nextIsIndex ? [] : {}
      node = container[key] as Params | Params[] | string[]
    }
  }
  return root
}

function stringOrNull(value: Params[string] | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function stringMap(value: Params[string] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry
  }
  return out
}

export type SignedEvent = { payload: string; signature: string; event: Stripe.Event }

/**
 * A Stripe event as Stripe would send it, signed with `secret` (Stripe-Signature: t=…,v1=…). `timestamp` (seconds)
 * makes a stale signature; the body is signed exactly as it will be sent.
 */
export function signEvent(
  secret: string,
  type: Stripe.Event.Type | string,
  object: Json | StandInSubscription,
  options: { id?: string; created?: number; timestamp?: number } = {},
): SignedEvent {
  const created = options.created ?? Math.floor(Date.now() / 1000)
  const event = {
    id: options.id ?? `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    type,
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  } as unknown as Stripe.Event
  const payload = JSON.stringify(event, null, 2)
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: options.timestamp ?? created })
  return { payload, signature, event }
}

/** Sends a signed event to a webhook URL, as Stripe delivers it: POST, JSON body, Stripe-Signature header. */
export async function deliverEvent(url: string, signed: SignedEvent): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signed.signature },
    body: signed.payload,
  })
}
