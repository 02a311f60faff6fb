import { randomUUID } from 'node:crypto'
import type { Metadata } from 'next'
import { ManageBillingForm, UpgradeForm } from '@/components/billing-forms'
import { priceText, usageText } from '@/components/plan-usage'
import { Badge } from '@/components/ui/badge'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { config } from '@/server/config'
import { formatBytes } from '@/server/services/files'
import { PLANS, type PlanId } from '@/server/services/plans'
import * as billing from '@/server/services/workspace-billing'
import { openBillingPortalAction, startCheckoutAction } from '../../../billing-actions'
import { currentWorkspace, workspacePlan } from '../../current'

export const metadata: Metadata = { title: 'Billing' }

const STATUS_NAMES: Record<string, string> = {
  active: 'Active',
  trialing: 'Trial',
  past_due: 'Payment failed: Stripe is retrying',
  unpaid: 'Unpaid',
  canceled: 'Cancelled',
  incomplete: 'Waiting for the first payment',
  incomplete_expired: 'First payment not made',
  paused: 'Paused',
}

const PLAN_IDS: PlanId[] = ['free', 'pro']

/** What a plan costs: Free is nothing (in Pro's currency when Stripe said it); Pro is Stripe's price, if known. */
function planPrice(id: PlanId, price: billing.PlanPrice | null, configured: boolean): string {
  if (id === 'free') return price ? priceText({ ...price, unitAmount: 0 }) : 'No charge'
  if (price) return priceText(price)
  return configured ? 'Priced at checkout' : 'Not available here'
}

type SearchParams = Promise<{ checkout?: string | string[]; waited?: string | string[] }>

/**
 * After Checkout, Stripe's confirmation reaches the app by the webhook, usually before the person is back, but not
 * always: the page then reloads itself every RELOAD_SECONDS (a meta refresh, so it works with JavaScript off) until
 * the plan shows, giving up after MAX_RELOADS and saying so.
 */
const RELOAD_SECONDS = 2
const MAX_RELOADS = 15

export default async function BillingPage(props: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await props.params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/settings/billing`, () => Billing(slug, props.searchParams))
}

async function Billing(slug: string, searchParams: SearchParams) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/settings/billing`)
  if (workspace.role !== 'owner') {
    // As on the members page: a member may know the page exists, and is told why it is closed to them.
    return (
      <main className="medium">
        <h1>Billing</h1>
        <p role="alert" className="notice error">
          Only owners manage billing. Ask an owner of {workspace.name} to upgrade or update the payment method.
        </p>
      </main>
    )
  }
  // The plan first, from the read the workspace bar shows, and the rest after it: the page then never says Pro (and
  // stops reloading) under a bar that says Free, and what it reads after is at least as new.
  const current = await workspacePlan(slug)
  const [overview, price, { checkout, waited }] = await Promise.all([billing.overview(ctx), billing.proPrice(ctx), searchParams])
  const cfg = config()
  const configured = Boolean(cfg.stripe?.pricePro)
  const pro = current.plan === 'pro'
  const reloads = Math.max(0, Math.min(MAX_RELOADS, Number.parseInt(String(waited ?? '0'), 10) || 0))
  const waitingForStripe = checkout === 'success' && !pro && reloads < MAX_RELOADS
  return (
    <main className="medium">
      <h1>Billing</h1>
      {checkout === 'success' && (
        <p role="status" className="notice success">
          {pro
            ? `Thank you: ${workspace.name} is on Pro.`
            : waitingForStripe
              ? 'Payment received. Pro starts as soon as Stripe confirms it: this page updates by itself.'
              : 'Payment received, but Stripe has not confirmed it yet: reload in a minute, or write to us if Pro does not start.'}
        </p>
      )}
      {waitingForStripe && (
        // React places a <meta> in the document's head wherever it is rendered.
        <meta
          httpEquiv="refresh"
          content={`${RELOAD_SECONDS};url=/w/${encodeURIComponent(workspace.slug)}/settings/billing?checkout=success&waited=${reloads + 1}`}
        />
      )}
      {checkout === 'canceled' && (
        <p role="status" className="notice">
          Checkout was cancelled; nothing was charged.
        </p>
      )}
      <section className="card" aria-labelledby="subscription">
        <h2 id="subscription">
          {workspace.name} is on <span data-testid="plan-name">{current.planName}</span>
        </h2>
        <dl className="read-only">
          {overview.status && (
            <>
              <dt>Status</dt>
              <dd>{STATUS_NAMES[overview.status] ?? overview.status}</dd>
            </>
          )}
          {overview.currentPeriodEnd && overview.status !== 'canceled' && (
            <>
              <dt>{overview.cancelAtPeriodEnd ? 'Ends on' : 'Renews on'}</dt>
              <dd>
                <LocalTime iso={overview.currentPeriodEnd} />
              </dd>
            </>
          )}
          <dt>Usage</dt>
          <dd data-testid="usage">
            {usageText(overview.usage.projects, overview.usage.projectsAllowed, 'projects')},{' '}
            {usageText(overview.usage.seats, overview.usage.seatsAllowed, 'seats')} (members and open invitations)
          </dd>
        </dl>
        {overview.paymentFailed && (
          <p role="alert" className="notice error">
            The last payment failed. Update the payment method in Manage billing to keep Pro.
          </p>
        )}
        {!pro && overview.status === 'canceled' && (
          <p className="hint">
            The subscription has ended, so the workspace is on Free: everything in it stays, but new projects and members are limited to
            Free’s numbers.
          </p>
        )}
        {configured && overview.hasCustomer && (
          <div className="mt-4">
            <p className="hint mb-3">Invoices, the payment method and cancelling are in Stripe’s customer portal.</p>
            <ManageBillingForm action={openBillingPortalAction} workspace={workspace.slug} />
          </div>
        )}
      </section>
      <section aria-labelledby="plans" className="mb-6">
        <h2 id="plans">Plans</h2>
        <ul className="m-0 grid list-none gap-4 p-0 sm:grid-cols-2">
          {PLAN_IDS.map((id) => {
            const plan = PLANS[id]
            const isCurrent = current.plan === id
            return (
              <li key={id} className={`card m-0 flex flex-col ${isCurrent ? 'border-primary' : ''}`}>
                <h3 id={`plan-${id}`} className="m-0 flex items-center gap-2 text-base font-semibold">
                  {plan.name} {isCurrent && <Badge variant="primary">Current plan</Badge>}
                </h3>
                <p className="mt-1 mb-3 text-xl font-bold" data-testid={`price-${id}`}>
                  {planPrice(id, price, configured)}
                </p>
                <ul className="m-0 mb-4 list-disc ps-5 text-sm">
                  <li>{Number.isFinite(plan.projects) ? `${plan.projects} projects` : 'Unlimited projects'}</li>
                  <li>{Number.isFinite(plan.members) ? `${plan.members} seats (members and open invitations)` : 'Unlimited members'}</li>
                  <li>Uploads up to {formatBytes(plan.uploadBytes)}</li>
                </ul>
                {id === 'pro' && configured && !pro && (
                  <div className="mt-auto">
                    <UpgradeForm action={startCheckoutAction} workspace={workspace.slug} attempt={randomUUID()} />
                  </div>
                )}
              </li>
            )
          })}
        </ul>
      </section>
      {!configured && (
        <section className="card" aria-labelledby="not-configured">
          <h2 id="not-configured">Stripe is not configured</h2>
          <p>
            This server has no Stripe account set up (<code>STRIPE_SECRET_KEY</code>, <code>STRIPE_PRICE_PRO</code>), so every workspace is
            on Free.
          </p>
          {cfg.env === 'development' && (
            <p>
              To try billing with no network and no Stripe account, run <code>npm run stripe:standin</code> and set the stand-in values from{' '}
              <code>.env.example</code>; Upgrade then leads to the stand-in’s own checkout page.
            </p>
          )}
        </section>
      )}
      {configured && cfg.stripe?.apiUrl && (
        <p className="hint">Stripe here is the local stand-in: its checkout and customer portal are simulated, and no money moves.</p>
      )}
    </main>
  )
}
