// One client's stream of a workspace's activity. It starts after the client's Last-Event-ID (replaying what it
// missed, up to RESUME_MAX events; past that it says `reset` and starts from now), or from now; then, woken by the
// hub, it reads what has committed since the last id it sent. Ids commit in order within a workspace
// (services/activity.ts), so "after the last id sent" never skips a row, and a lost or merged notification only
// delays a row until the next wake. The caller's access is checked again on every announced change of access and
// at every heartbeat; when it is gone, the stream ends.

import { requireRole } from '../services/access'
import { activityAfter, countActivityAfter, latestActivityId, streamStillEntitled } from '../services/activity-feed'
import type { ServiceContext } from '../services/context'
import { activityHub } from './activity-hub'
import type { EventFeed, EventSink } from './event-feed'

/** The most missed events a reconnect replays; a client further behind gets `reset` (reload everything). */
export const RESUME_MAX = 1_000
const BATCH = 100

/** A Last-Event-ID this server could have sent: a positive integer. Anything else counts as none. */
export function parseLastEventId(value: string | null): number | null {
  if (value === null || !/^[0-9]{1,15}$/.test(value.trim())) return null
  return Number(value.trim())
}

/** `lastEventId`: the Last-Event-ID the client sent (EventSource sends it on every reconnect), or null. */
export async function openActivityStream(ctx: ServiceContext, stream: { lastEventId: string | null }): Promise<EventFeed> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { db, actor } = ctx
  const latest = await latestActivityId(db, workspaceId)
  const resumeFrom = parseLastEventId(stream.lastEventId)
  let sent = latest
  let reset = false
  if (resumeFrom !== null) {
    const tooFarBehind = resumeFrom > latest || (await countActivityAfter(db, workspaceId, resumeFrom, RESUME_MAX + 1)) > RESUME_MAX
    if (tooFarBehind) reset = true
    else sent = resumeFrom
  }

  let sink: EventSink | null = null
  let stopped = false
  let reading = false
  let readAgain = false
  let checking = false
  let removeListener = () => {}

  const end = () => sink?.end()
  const readNew = async () => {
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    try {
      do {
        readAgain = false
        const items = await activityAfter(db, workspaceId, sent, BATCH)
        for (const item of items) {
          if (stopped) return
          sink?.send({ id: String(item.id), event: 'activity', data: JSON.stringify(item) })
          sent = item.id
        }
        if (items.length === BATCH) readAgain = true
      } while (readAgain && !stopped)
    } catch {
      // The database went away mid-stream: end it, and the client resumes from its last id once it is back.
      end()
    } finally {
      reading = false
    }
  }
  const recheck = async () => {
    if (checking || stopped) return
    checking = true
    try {
      if (!(await streamStillEntitled(db, actor, workspaceId, ctx.now()))) end()
    } catch {
      end()
    } finally {
      checking = false
    }
  }

  return {
    start(s) {
      sink = s
      if (reset) s.send({ id: String(latest), event: 'reset', data: '{}' })
      // Listening before the first read: a row committed in between is either read now or announced after.
      removeListener = activityHub(ctx.notifications).add({
        workspaceId,
        wake: () => void readNew(),
        recheck: () => void recheck(),
      })
      void readNew()
    },
    heartbeat: () => void recheck(),
    stop() {
      stopped = true
      removeListener()
    },
  }
}
