// The in-process billing worker: applies recorded Stripe events every few seconds, and soon after a nudge (the
// webhook nudges it once an event is recorded). The loop is the one every worker shares (background-worker.ts).
import { type BackgroundWorker, startBackgroundWorker } from '../background-worker'
import { type ApplyOptions, applyDueStripeEvents, type BillingDeps, purgeAppliedStripeEvents } from '../services/billing'

export type BillingWorker = BackgroundWorker

export const BILLING_POLL_INTERVAL_MS = 5_000
/** How often a worker deletes applied events past their retention (services/billing.ts#APPLIED_EVENT_RETENTION_MS). */
export const PURGE_INTERVAL_MS = 60 * 60_000

/** Applies due events in rounds; a failed round (the database is down) is logged and the next tick tries again. */
export function startBillingWorker(
  deps: BillingDeps,
  { intervalMs = BILLING_POLL_INTERVAL_MS, apply }: { intervalMs?: number; apply?: Partial<ApplyOptions> } = {},
): BillingWorker {
  let lastPurge = 0
  return startBackgroundWorker(async (stopping) => {
    try {
      // A full batch may mean more are waiting: go again at once rather than a tick later.
      const batchSize = apply?.batchSize ?? 50
      let report = await applyDueStripeEvents(deps, apply)
      while (!stopping() && report.applied + report.retrying >= batchSize) report = await applyDueStripeEvents(deps, apply)
      // Once an hour, not every round: finding old applied events reads the whole ledger (no index on applied_at).
      const now = deps.now().getTime()
      if (now - lastPurge >= PURGE_INTERVAL_MS) {
        lastPurge = now
        await purgeAppliedStripeEvents(deps.db, deps.now())
      }
    } catch (error) {
      deps.log.warn('billing round failed: will try again', { error })
    }
  }, intervalMs)
}
