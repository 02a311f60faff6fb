// Plans and what each allows. A workspace is Pro while its Stripe subscription is active, trialing or past_due
// (Stripe is still retrying the payment: the workspace keeps working, with a banner); every other state — no
// subscription, canceled, unpaid, incomplete, paused — is Free. Limits apply to creating, never to reading: a
// workspace that falls back to Free keeps everything it has.
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { workspaceBilling } from '../db/schema'

export const PLANS = {
  free: { name: 'Free', projects: 3, members: 3, uploadBytes: 10 * 1024 * 1024 },
  pro: { name: 'Pro', projects: Number.POSITIVE_INFINITY, members: Number.POSITIVE_INFINITY, uploadBytes: 100 * 1024 * 1024 },
} as const

export type PlanId = keyof typeof PLANS
export type Plan = (typeof PLANS)[PlanId] & { id: PlanId }

const PRO_STATUSES = new Set(['active', 'trialing', 'past_due'])

/** The plan a subscription status grants (null: never subscribed). */
export function planForStatus(status: string | null | undefined): PlanId {
  return status && PRO_STATUSES.has(status) ? 'pro' : 'free'
}

/** Statuses in which a payment has failed: the workspace shows a banner until it is paid (or the plan ends). */
export const PAYMENT_FAILED_STATUSES = ['past_due', 'unpaid'] as const

export function isPaymentFailed(status: string | null | undefined): boolean {
  return (PAYMENT_FAILED_STATUSES as readonly (string | null | undefined)[]).includes(status)
}

/** The workspace's plan, read from its billing row (one primary-key read; no row means Free). */
export async function workspacePlan(db: Db, workspaceId: string): Promise<Plan> {
  const [row] = await db
    .select({ status: workspaceBilling.status })
    .from(workspaceBilling)
    .where(eq(workspaceBilling.workspaceId, workspaceId))
  const id = planForStatus(row?.status)
  return { ...PLANS[id], id }
}
