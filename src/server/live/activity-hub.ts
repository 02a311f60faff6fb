// The process's one subscription to the `activity` channel, fanned out to the event streams open in this process:
// a notification (`${workspaceId}:${id}`) wakes the streams of that workspace, each of which then reads what it has
// not sent yet. A change of access (a token revoked, a member removed) makes every stream check its caller again.
// One hub per database, kept on globalThis: Next loads this module in several bundles, and a second copy would
// subscribe a second time.
import type { Notifications } from '../db/notifications'
import { ACTIVITY_CHANNEL } from '../services/activity'
import { AUTH_CHANGED } from '../services/token-cache'

export type HubListener = {
  workspaceId: string
  /** Something new may have committed in the workspace (or the connection came back and anything may have). */
  wake(): void
  /** Access may have changed: check the caller again. */
  recheck(): void
}

export type ActivityHub = {
  add(listener: HubListener): () => void
  /** For tests and diagnostics: listeners registered, and subscriptions this hub holds on the notifications. */
  stats(): { listeners: number; subscriptions: number }
}

function createHub(notifications: Notifications): ActivityHub {
  const byWorkspace = new Map<string, Set<HubListener>>()
  let unsubscribe: (() => void)[] = []
  let wasLive = true

  const everyone = () => [...byWorkspace.values()].flatMap((set) => [...set])
  const subscribe = () => {
    unsubscribe = [
      notifications.subscribe(ACTIVITY_CHANNEL, {
        message(payload) {
          const workspaceId = payload.slice(0, payload.indexOf(':'))
          for (const listener of byWorkspace.get(workspaceId) ?? []) listener.wake()
        },
        live(isLive) {
          // Notifications sent while the connection was down are gone: every stream reads what it missed.
          if (isLive && !wasLive) for (const listener of everyone()) listener.wake()
          wasLive = isLive
        },
      }),
      notifications.subscribe(AUTH_CHANGED, {
        message: () => {
          for (const listener of everyone()) listener.recheck()
        },
      }),
    ]
  }

  return {
    add(listener) {
      if (byWorkspace.size === 0) subscribe()
      let set = byWorkspace.get(listener.workspaceId)
      if (!set) {
        set = new Set()
        byWorkspace.set(listener.workspaceId, set)
      }
      set.add(listener)
      let removed = false
      return () => {
        if (removed) return
        removed = true
        set.delete(listener)
        if (set.size === 0 && byWorkspace.get(listener.workspaceId) === set) byWorkspace.delete(listener.workspaceId)
        // The last stream gone: the hub lets go of the channel too, so an idle process holds no subscriber.
        if (byWorkspace.size === 0) {
          for (const off of unsubscribe) off()
          unsubscribe = []
        }
      }
    },
    stats: () => ({ listeners: everyone().length, subscriptions: unsubscribe.length }),
  }
}

const HUBS = Symbol.for('twofold.activity-hubs')
type Holder = { [HUBS]?: WeakMap<Notifications, ActivityHub> }

/** The hub for this database's notifications, made on first use. */
export function activityHub(notifications: Notifications): ActivityHub {
  const holder = globalThis as Holder
  holder[HUBS] ??= new WeakMap()
  let hub = holder[HUBS].get(notifications)
  if (!hub) {
    hub = createHub(notifications)
    holder[HUBS].set(notifications, hub)
  }
  return hub
}
