// The banner across a workspace's pages while its last payment has failed (Stripe's past_due or unpaid): owners get a
// link to billing, everyone else is told whom to ask. It stays until Stripe reports the payment made or the plan ended.
import Link from 'next/link'

export function PaymentFailedBanner({ failed, slug, owner }: { failed: boolean; slug: string; owner: boolean }) {
  if (!failed) return null
  return (
    <div className="inner">
      <section className="notice error" role="alert" aria-label="Payment failed">
        <p>
          The last payment for this workspace failed.{' '}
          {owner ? (
            <Link href={`/w/${slug}/settings/billing`}>Update billing</Link>
          ) : (
            'Ask an owner of the workspace to update the payment method.'
          )}
        </p>
      </section>
    </div>
  )
}
