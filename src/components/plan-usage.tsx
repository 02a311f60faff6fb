// What a workspace uses against its plan, in words ("2 of 3 projects"), and a plan's price as Stripe has it: shown on
// the billing page and beside the forms that consume the plan (create project, invite). Server-rendered, no script.
import Link from 'next/link'
import type { PlanPrice } from '@/server/services/workspace-billing'

const NOUNS = { projects: ['project', 'projects'], seats: ['seat', 'seats'] } as const

/** "2 of 3 projects", "1 of 3 seats"; on a plan without a limit, "5 projects". */
export function usageText(used: number, allowed: number, what: keyof typeof NOUNS): string {
  if (!Number.isFinite(allowed)) return `${used} ${NOUNS[what][used === 1 ? 0 : 1]}`
  return `${used} of ${allowed} ${NOUNS[what][allowed === 1 ? 0 : 1]}`
}

/**
 * The line under a form that consumes the plan: how much is used, and, when the plan is full, what to do about it
 * (owners get the billing page; others are told whom to ask).
 */
export function UsageNote({
  used,
  allowed,
  what,
  planName,
  billingHref,
}: {
  used: number
  allowed: number
  what: keyof typeof NOUNS
  planName: string
  /** The billing page, for owners; null for everyone else. */
  billingHref: string | null
}) {
  const full = Number.isFinite(allowed) && used >= allowed
  return (
    <p className="hint mt-3" data-testid={`usage-${what}`}>
      {usageText(used, allowed, what)} on {planName}
      {what === 'seats' && Number.isFinite(allowed) && ' (open invitations hold a seat)'}.{' '}
      {full && (billingHref ? <Link href={billingHref}>Upgrade to Pro for more</Link> : 'Ask an owner to upgrade the workspace for more.')}
    </p>
  )
}

/** "$12.00 a month", in the price's own currency; Intl knows each currency's minor unit (cents, none for yen). */
export function priceText(price: PlanPrice): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: price.currency.toUpperCase() })
  const amount = format.format(price.unitAmount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2))
  if (!price.interval) return amount
  return price.intervalCount === 1 ? `${amount} a ${price.interval}` : `${amount} every ${price.intervalCount} ${price.interval}s`
}
