// The stand-in's customer portal: where "Manage billing" leads when the app talks to the local Stripe stand-in. Stripe's
// portal shows invoices and lets the customer change the card or cancel; here its buttons make happen what Stripe
// would do (a renewal failing, a retry succeeding, a cancellation). 404 wherever the app talks to Stripe itself.
import Link from 'next/link'
import { notFoundIfMissing } from '@/app/w/[slug]/current'
import { SimulatorButton } from '@/components/billing-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { requireSession } from '@/server/operations/next'
import * as billing from '@/server/services/workspace-billing'
import { simulatePortalEventAction } from '../../actions'
import { customerWorkspace, simulator } from '../../simulator'

export const dynamic = 'force-dynamic'

export default async function SimulatedPortalPage({ params }: { params: Promise<{ customer: string }> }) {
  const { customer } = await params
  return unlessUnavailable(`/dev/stripe/portal/${encodeURIComponent(customer)}`, () => Portal(customer))
}

async function Portal(customer: string) {
  const deps = await simulator()
  const ctx = await requireSession(`/dev/stripe/portal/${encodeURIComponent(customer)}`)
  const workspace = await customerWorkspace(ctx, deps, customer).catch(notFoundIfMissing)
  const overview = await billing.overview({ ...ctx, workspace: workspace.slug })
  const live = overview.status !== null && overview.status !== 'canceled'
  const button = (event: string, label: string, danger?: boolean) => (
    <SimulatorButton
      action={simulatePortalEventAction}
      fields={{ customer, event }}
      label={label}
      pending="Sending the event…"
      danger={danger}
    />
  )
  return (
    <main className="narrow">
      <title>Customer portal (simulated)</title>
      <h1>Customer portal (simulated)</h1>
      <p className="notice">
        This is the local Stripe stand-in. Each button changes the subscription as Stripe would and sends the signed event to the app’s
        webhook.
      </p>
      <section className="card" aria-labelledby="subscription">
        <h2 id="subscription">{workspace.name}</h2>
        <p>
          Plan: {overview.planName}
          {overview.status ? ` (${overview.status})` : ''}
        </p>
        {live ? (
          <div className="stack">
            {overview.paymentFailed
              ? button('invoice.paid', 'Simulate a successful payment')
              : button('invoice.payment_failed', 'Simulate a failed payment')}
            {button('customer.subscription.deleted', 'Cancel subscription', true)}
          </div>
        ) : (
          <p>No live subscription.</p>
        )}
        <p>
          <Link href={`/w/${workspace.slug}/settings/billing`}>Return to Twofold</Link>
        </p>
      </section>
    </main>
  )
}
