// The billing page's actions through toAction, against the Stripe stand-in over real HTTP with the real SDK: Upgrade
// makes one customer and a subscription-mode Checkout Session for the workspace and redirects to it; Manage billing
// opens the customer portal; only owners may; and a plan limit reaches a form as PLAN_LIMIT with the upgrade offer.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { type StripeStandIn, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import type { Database } from '../../src/server/db/client'
import { memberships, workspaceBilling, workspaces } from '../../src/server/db/schema'
import type { ActionResult } from '../../src/server/http/action-result'
import { openBillingPortal, startCheckout } from '../../src/server/operations/billing'
import { createProject } from '../../src/server/operations/projects'
import { createInvitation } from '../../src/server/operations/workspaces'
import type { Actor, StripeAccess } from '../../src/server/services/context'
import { type ActionDeps, toAction } from '../../src/server/transports/to-action'
import { captureLogger } from '../support/api'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { formOf } from '../support/forms'
import { setSubscriptionStatus } from '../support/plans'

class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super(`NEXT_REDIRECT ${url}`)
  }
}

const PRICE = 'price_pro_test'
let database: Database
let standIn: StripeStandIn
let stripe: StripeAccess

beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
  const client = createStripeClient({ secretKey: 'sk_test_actions', webhookSecret: null, pricePro: PRICE, apiUrl: standIn.url }, {})
  if (!client) throw new Error('no client')
  stripe = { client, pricePro: PRICE }
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})
beforeEach(() => {
  standIn.requests.length = 0
})

type Space = { slug: string; id: string; owner: Actor }

async function newSpace(): Promise<Space> {
  const ownerId = await createUser(database, 'Owner')
  const slug = personalWorkspace(ownerId)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error('no workspace')
  return { slug, id: row.id, owner: sessionActor(ownerId) }
}

function depsFor(actor: Actor, slug: string, withStripe: StripeAccess | null = stripe): ActionDeps {
  return {
    context: async (workspace) => ({ ...contextFor(database, actor, undefined, workspace ?? slug), stripe: async () => withStripe }),
    revalidatePath: () => {},
    redirect: (url) => {
      throw new RedirectSignal(url)
    },
    passThrough: (thrown) => {
      if (thrown instanceof RedirectSignal) throw thrown
    },
    log: captureLogger([]),
  }
}

const upgrade = (actor: Actor, slug: string, fields: Record<string, string> = {}, withStripe?: StripeAccess | null) =>
  toAction(startCheckout, { redirectTo: (s) => s.url }, depsFor(actor, slug, withStripe))(null, formOf({ workspace: slug, ...fields }))
const manage = (actor: Actor, slug: string) =>
  toAction(openBillingPortal, { redirectTo: (s) => s.url }, depsFor(actor, slug))(null, formOf({ workspace: slug }))

/** Where the action redirected to (it must have). */
async function redirectOf(result: Promise<ActionResult<unknown>>): Promise<string> {
  const thrown = await result.then(
    (r) => new Error(`expected a redirect, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  )
  if (!(thrown instanceof RedirectSignal)) throw thrown
  return thrown.url
}

async function failureOf(result: Promise<ActionResult<unknown>>) {
  const r = await result
  if (r.ok) throw new Error('expected a failure')
  return r
}

const customerOf = async (space: Space) =>
  (await database.db.select().from(workspaceBilling).where(eq(workspaceBilling.workspaceId, space.id)))[0]?.stripeCustomerId ?? null

describe('Upgrade (billing.checkout)', () => {
  test('makes the workspace’s customer and a subscription Checkout Session for it, and redirects to the session', async () => {
    const space = await newSpace()
    const attempt = crypto.randomUUID()
    const url = await redirectOf(upgrade(space.owner, space.slug, { attempt }))
    // Checkout is Stripe's page, on Stripe's origin: here the stand-in's.
    expect(url).toMatch(new RegExp(`^${standIn.url}/checkout/cs_test_[0-9a-f]+$`))

    const customer = await customerOf(space)
    expect(standIn.customers.get(customer ?? '')).toMatchObject({ metadata: { workspace_id: space.id } })
    const create = standIn.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')
    expect(create).toEqual({
      method: 'POST',
      path: '/v1/checkout/sessions',
      idempotencyKey: `twofold-checkout-${space.id}-${attempt}`,
      params: {
        mode: 'subscription',
        customer,
        client_reference_id: space.id,
        line_items: [{ price: PRICE, quantity: '1' }],
        subscription_data: { metadata: { workspace_id: space.id } },
        metadata: { workspace_id: space.id },
        success_url: `http://app.test/w/${space.slug}/settings/billing?checkout=success`,
        cancel_url: `http://app.test/w/${space.slug}/settings/billing?checkout=canceled`,
      },
    })
    expect(standIn.requests.find((r) => r.path === '/v1/customers')?.idempotencyKey).toBe(`twofold-workspace-customer-${space.id}`)
  })

  test('five clicks at once make one customer, and clicks of one page share one session', async () => {
    const space = await newSpace()
    const attempt = crypto.randomUUID()
    const urls = await Promise.all(Array.from({ length: 5 }, () => redirectOf(upgrade(space.owner, space.slug, { attempt }))))
    expect(new Set(urls).size).toBe(1)
    const customers = [...standIn.customers.values()].filter((c) => (c.metadata as Record<string, string>).workspace_id === space.id)
    expect(customers).toHaveLength(1)
    expect(customers[0]?.id).toBe(await customerOf(space))
    // A later visit to the page (a new attempt) reuses the customer and gets a session of its own.
    const later = await redirectOf(upgrade(space.owner, space.slug, { attempt: crypto.randomUUID() }))
    expect(later).not.toBe(urls[0])
    // The callers queued on the billing row: all but the first found the stored customer and asked Stripe for none.
    expect(standIn.requests.filter((r) => r.path === '/v1/customers' && r.method === 'POST')).toHaveLength(1)
  })

  test.each(['admin', 'member'] as const)('an %s is FORBIDDEN, and Stripe is not called', async (role) => {
    const space = await newSpace()
    const userId = await createUser(database, 'Colleague')
    await database.db.insert(memberships).values({ workspaceId: space.id, userId, role, createdAt: new Date() })
    const failure = await failureOf(upgrade(sessionActor(userId), space.slug))
    expect(failure.error).toEqual({ code: 'FORBIDDEN', message: 'Only an owner of this workspace can do that.' })
    expect(standIn.requests).toEqual([])
    expect(await customerOf(space)).toBeNull()
  })

  test('without Stripe configured: CONFLICT saying so, nothing written', async () => {
    const space = await newSpace()
    const failure = await failureOf(upgrade(space.owner, space.slug, {}, null))
    expect(failure.error).toEqual({ code: 'CONFLICT', message: 'Billing is not set up on this server: Stripe is not configured.' })
    expect(await customerOf(space)).toBeNull()
  })

  test('a workspace already on Pro is told to manage billing instead', async () => {
    const space = await newSpace()
    await setSubscriptionStatus(database, space.slug, 'active')
    const failure = await failureOf(upgrade(space.owner, space.slug))
    expect(failure.error).toEqual({ code: 'CONFLICT', message: 'This workspace is on Pro already. Use Manage billing to change it.' })
    expect(standIn.requests).toEqual([])
  })
})

describe('Manage billing (billing.portal)', () => {
  test('opens the customer portal for the workspace’s customer, coming back to the billing page', async () => {
    const space = await newSpace()
    await redirectOf(upgrade(space.owner, space.slug))
    standIn.requests.length = 0
    const url = await redirectOf(manage(space.owner, space.slug))
    expect(url).toMatch(/\/portal\/bps_[0-9a-f]+$/)
    expect(standIn.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/billing_portal/sessions',
        idempotencyKey: expect.any(String),
        params: { customer: await customerOf(space), return_url: `http://app.test/w/${space.slug}/settings/billing` },
      },
    ])
  })

  test('before any upgrade there is no customer: CONFLICT, Stripe not called', async () => {
    const space = await newSpace()
    const failure = await failureOf(manage(space.owner, space.slug))
    expect(failure.error).toEqual({ code: 'CONFLICT', message: 'This workspace has no billing account yet. Upgrade first.' })
    expect(standIn.requests).toEqual([])
  })
})

describe('a plan limit in a form', () => {
  test('the fourth project on Free is PLAN_LIMIT with the upgrade offer and the workspace echoed, so the form can link to billing', async () => {
    const space = await newSpace()
    const create = toAction(createProject, {}, depsFor(space.owner, space.slug))
    for (let i = 1; i <= 3; i++) expect((await create(null, formOf({ workspace: space.slug, name: `P${i}` }))).ok).toBe(true)
    const failure = await failureOf(create(null, formOf({ workspace: space.slug, name: 'P4' })))
    expect(failure).toEqual({
      ok: false,
      error: {
        code: 'PLAN_LIMIT',
        message: 'The Free plan includes 3 projects per workspace. Upgrade to Pro for unlimited projects.',
        upgrade: true,
      },
      values: { workspace: space.slug, name: 'P4' },
    })
  })

  test('a third invitation on Free (the owner and two open invitations hold the seats) is PLAN_LIMIT with the upgrade offer', async () => {
    const space = await newSpace()
    const invite = toAction(createInvitation, {}, depsFor(space.owner, space.slug))
    for (const email of ['one@example.test', 'two@example.test'])
      expect((await invite(null, formOf({ workspace: space.slug, email }))).ok).toBe(true)
    const failure = await failureOf(invite(null, formOf({ workspace: space.slug, email: 'three@example.test', role: 'member' })))
    expect(failure.error).toEqual({
      code: 'PLAN_LIMIT',
      message:
        'The Free plan includes 3 members per workspace, open invitations included. Revoke an invitation, or upgrade to Pro for unlimited members.',
      upgrade: true,
    })
  })
})
