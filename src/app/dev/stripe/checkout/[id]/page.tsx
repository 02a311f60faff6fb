// The stand-in's Checkout page: where "Upgrade" leads when the app talks to the local Stripe stand-in. "Pay" does what
// Stripe does when a customer pays; nothing leaves this machine. 404 wherever the app talks to Stripe itself.
import Link from 'next/link'
import { notFoundIfMissing } from '@/app/w/[slug]/current'
import { SimulatorButton } from '@/components/billing-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { requireSession } from '@/server/operations/next'
import { payCheckoutAction } from '../../actions'
import { checkoutFor, simulator } from '../../simulator'

export const dynamic = 'force-dynamic'

export default async function SimulatedCheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return unlessUnavailable(`/dev/stripe/checkout/${encodeURIComponent(id)}`, () => Checkout(id))
}

async function Checkout(id: string) {
  const deps = await simulator()
  const ctx = await requireSession(`/dev/stripe/checkout/${encodeURIComponent(id)}`)
  const { session, workspace } = await checkoutFor(ctx, deps, id).catch(notFoundIfMissing)
  const open = session.status === 'open'
  return (
    <main className="narrow">
      <title>Checkout (simulated)</title>
      <h1>Checkout (simulated)</h1>
      <p className="notice">This is the local Stripe stand-in: no card is asked for and no money moves.</p>
      <section className="card" aria-labelledby="order">
        <h2 id="order">Twofold Pro for {workspace.name}</h2>
        <p>Unlimited projects and members, billed monthly.</p>
        {open ? (
          <SimulatorButton action={payCheckoutAction} fields={{ session: session.id }} label="Pay" pending="Paying…" />
        ) : (
          <p>This checkout session is {session.status}.</p>
        )}
        <p>
          <Link href={session.cancel_url ?? `/w/${workspace.slug}/settings/billing`}>Cancel and go back</Link>
        </p>
      </section>
    </main>
  )
}
