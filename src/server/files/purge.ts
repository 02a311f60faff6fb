// Removes stored bytes that no `files` row owns: those of deleted files (entered by the database's trigger when a
// row goes, by itself or with its project or workspace) and those an upload left when its process died before it
// could clean up (entered by the upload itself, due a day later). See `file_purges` in db/schema.ts.
import { and, asc, inArray, lte, sql } from 'drizzle-orm'
import { type BackgroundWorker, startBackgroundWorker } from '../background-worker'
import type { Db } from '../db/client'
import type { Notifications } from '../db/notifications'
import { filePurges } from '../db/schema'
import type { Logger } from '../log'
import type { FileStorage } from './storage'

/** The channel the trigger notifies when a files row is deleted. */
export const FILE_PURGE_CHANNEL = 'file_purge'
/** How long an upload may take before bytes it stored without a row count as abandoned. */
export const UPLOAD_GRACE_MS = 24 * 60 * 60 * 1000
/** While one instance removes a batch, the others leave it alone for this long. */
const LEASE_MS = 10 * 60 * 1000
const BATCH = 100

/**
 * Removes the bytes of every due key, a batch at a time; returns how many keys were removed. Each batch is leased
 * (its `purge_after` pushed out) in one statement, so instances never hold a transaction open across storage calls
 * and never remove the same batch twice; a key whose removal failed stays, due again when the lease runs out.
 */
export async function purgeDue(db: Db, storage: FileStorage, now: Date = new Date()): Promise<number> {
  let removed = 0
  for (;;) {
    const due = db
      .select({ key: filePurges.storageKey })
      .from(filePurges)
      .where(lte(filePurges.purgeAfter, now))
      .orderBy(asc(filePurges.purgeAfter))
      .limit(BATCH)
      .for('update', { skipLocked: true })
    const leased = await db
      .update(filePurges)
      .set({ purgeAfter: new Date(now.getTime() + LEASE_MS) })
      .where(inArray(filePurges.storageKey, due))
      .returning({ key: filePurges.storageKey })
    if (leased.length === 0) return removed
    const done: string[] = []
    for (const { key } of leased) {
      try {
        await storage.delete(key)
        done.push(key)
      } catch {
        // Stays leased, and is tried again when the lease runs out.
      }
    }
    if (done.length) {
      // Only if still leased by us: an upload that re-used the key meanwhile (it cannot: keys are fresh ids) keeps it.
      await db.delete(filePurges).where(and(inArray(filePurges.storageKey, done), sql`${filePurges.purgeAfter} > ${now}`))
    }
    removed += done.length
    if (done.length < leased.length || leased.length < BATCH) return removed
  }
}

/** Runs purgeDue every minute, and at once when the trigger announces a deletion. */
export function startPurgeWorker(deps: { db: Db; storage: FileStorage; notifications: Notifications; log: Logger }): BackgroundWorker {
  const worker = startBackgroundWorker(async () => {
    try {
      const removed = await purgeDue(deps.db, deps.storage)
      if (removed) deps.log.info('file bytes removed', { count: removed })
    } catch (error) {
      deps.log.error('removing deleted files’ bytes failed; trying again in a minute', { error })
    }
  }, 60_000)
  const unsubscribe = deps.notifications.subscribe(FILE_PURGE_CHANNEL, { message: () => worker.nudge() })
  return {
    nudge: worker.nudge,
    async stop() {
      unsubscribe()
      await worker.stop()
    },
  }
}
