// The in-process mail worker: delivers due outbox messages every few seconds, and soon after a nudge.
import { type BackgroundWorker, startBackgroundWorker } from '../background-worker'
import type { Db } from '../db/client'
import type { Logger } from '../log'
import { type DeliveryOptions, deliverDueMail } from './outbox'
import type { MailTransport } from './transport'

export type MailWorker = BackgroundWorker

export type MailWorkerOptions = {
  db: Db
  transport: MailTransport
  log: Logger
  intervalMs?: number
  now?: () => Date
  delivery?: Partial<DeliveryOptions>
}

export const MAIL_POLL_INTERVAL_MS = 5_000

/** Delivers due mail in rounds (background-worker.ts); a failed round is logged and the next tick tries again. */
export function startMailWorker({
  db,
  transport,
  log,
  intervalMs = MAIL_POLL_INTERVAL_MS,
  now = () => new Date(),
  delivery,
}: MailWorkerOptions): MailWorker {
  return startBackgroundWorker(async () => {
    try {
      await deliverDueMail(db, transport, now(), { log, ...delivery })
    } catch (error) {
      log.warn('mail delivery round failed: will try again', { error })
    }
  }, intervalMs)
}
