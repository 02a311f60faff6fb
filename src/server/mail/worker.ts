// The in-process mail worker: delivers due outbox messages every few seconds, and soon after a nudge.
import type { Db } from '../db/client'
import type { Logger } from '../log'
import { type DeliveryOptions, deliverDueMail } from './outbox'
import type { MailTransport } from './transport'

export type MailWorker = {
  /** Asks for a delivery round now (after a commit that queued mail), instead of at the next tick. */
  nudge(): void
  /** Stops the ticks and waits for a round in progress, so the database can be closed after it. */
  stop(): Promise<void>
}

export type MailWorkerOptions = {
  db: Db
  transport: MailTransport
  log: Logger
  intervalMs?: number
  now?: () => Date
  delivery?: Partial<DeliveryOptions>
}

export const MAIL_POLL_INTERVAL_MS = 5_000

/**
 * Runs rounds one at a time: a nudge during a round asks for one more round after it, never a second round
 * alongside. A failed round (the database is down) is logged and the next tick tries again.
 */
export function startMailWorker({
  db,
  transport,
  log,
  intervalMs = MAIL_POLL_INTERVAL_MS,
  now = () => new Date(),
  delivery,
}: MailWorkerOptions): MailWorker {
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
      await deliverDueMail(db, transport, now(), { log, ...delivery })
    } catch (error) {
      log.warn('mail delivery round failed: will try again', { error })
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

  // At once: whatever the last instance left pending is due already.
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
