// A workspace's activity: one row per change, appended by the service in the same transaction as the change, and
// announced on the `activity` channel (LISTEN/NOTIFY) when that transaction commits — never before, and never for a
// change that rolled back.
//
// Why a lock: the row's id comes from a sequence when it is inserted, but transactions commit in their own order, so
// without it a reader resuming "after id 41" could miss id 41's neighbour 40 that committed a moment later. Holding
// a transaction-scoped advisory lock per workspace from the insert to the commit makes a workspace's ids commit in
// id order, which is what Last-Event-ID resumption needs. Call it last in the transaction, so the lock is held only
// for the commit.
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { activity } from '../db/schema'

/** The LISTEN/NOTIFY channel; the payload is `${workspaceId}:${activityId}` (ids only: payloads must stay small). */
export const ACTIVITY_CHANNEL = 'activity'

// The first key of the two-key advisory lock, so these locks cannot collide with any other use of advisory locks.
const ACTIVITY_LOCK_SPACE = 0x7466_6163 // "tfac"

export type ActivityEntry = {
  workspaceId: string
  /** The user who made the change; null for changes Stripe or the system made. */
  actorId: string | null
  /** `subject.verb`: project.created, project.updated, project.deleted, file.uploaded, member.joined, plan.changed … */
  kind: string
  subjectId?: string | null
  /** A few display fields (a name); never secrets, never much (the feed sends it to every member). */
  data?: Record<string, unknown>
}

/** Appends an activity row. `tx` must be the transaction making the change. */
export async function recordActivity(tx: Db, entry: ActivityEntry): Promise<{ id: number }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ACTIVITY_LOCK_SPACE}, hashtext(${entry.workspaceId}))`)
  const [row] = await tx
    .insert(activity)
    .values({
      workspaceId: entry.workspaceId,
      actorId: entry.actorId,
      kind: entry.kind,
      subjectId: entry.subjectId ?? null,
      data: entry.data ?? {},
    })
    .returning({ id: activity.id })
  if (!row) throw new Error('the activity insert returned no row')
  await tx.execute(sql`select pg_notify(${ACTIVITY_CHANNEL}, ${`${entry.workspaceId}:${row.id}`})`)
  return row
}
