// The in-process billing worker: applies recorded Stripe events every few seconds, and soon after a nudge (the
// webhook nudges it once an event is recorded). The same shape as the mail worker (src/server/mail/worker.ts).
import { type ApplyOptions, applyDueStripeEvents, type BillingDeps } from '../services/billing'

export type BillingWorker = {
  /** Asks for a round now (an event was just recorded), instead of at the next tick. */
  nudge(): void
  /** Stops the ticks and waits for a round in progress, so the database can be closed after it. */
  stop(): Promise<void>
}

export const BILLING_POLL_INTERVAL_MS = 5_000

/**
 * Runs rounds one at a time: a nudge during a round asks for one more round after it, never a second round
 * alongside. A failed round (the database is down) is logged and the next tick tries again.
 */
export function startBillingWorker(
  deps: BillingDeps,
  { intervalMs = BILLING_POLL_INTERVAL_MS, apply }: { intervalMs?: number; apply?: Partial<ApplyOptions> } = {},
): BillingWorker {
  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  const schedule = () => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(run, intervalMs)
    // The worker alone must not keep a process alive (a script, a test, shutdown).
    timer.unref()
  }

  const round = async () => {
    try {
      // A full batch may mean more are waiting: go again at once rather than a tick later.
      const batchSize = apply?.batchSize ?? 50
      let report = await applyDueStripeEvents(deps, apply)
      while (!stopped && report.applied + report.retrying >= batchSize) report = await applyDueStripeEvents(deps, apply)
    } catch (error) {
      deps.log.warn('billing round failed: will try again', { error })
    }
  }

  function run(): void {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = (async () => {
      do {
        again = false
        await round()
      } while (again && !stopped)
    })().finally(() => {
      running = null
      schedule()
    })
  }

  // At once: whatever the last instance left unapplied is due already.
  run()
  return {
    nudge: run,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
