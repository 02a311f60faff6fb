// PostgreSQL LISTEN/NOTIFY for the app: one listening connection per process (never one per subscriber), shared by
// every channel, reconnecting on its own. Subscribers learn when it is live: anything they keep on the strength of
// notifications (a cache) must be dropped while it is not, since changes made meanwhile are never announced again.
// On PGlite, its in-process listen() does the same for the one process there is.
import type { PGlite } from '@electric-sql/pglite'
import type { Client } from 'pg'
import { log } from '../log'

export type Subscriber = {
  /** A notification on the channel arrived (payload as sent). */
  message(payload: string): void
  /** The connection became live (true) or was lost (false). Called with the current state on subscribe. */
  live?(isLive: boolean): void
}

export type Notifications = {
  subscribe(channel: string, subscriber: Subscriber): () => void
  close(): Promise<void>
}

type Channels = Map<string, Set<Subscriber>>

function deliver(channels: Channels, channel: string, payload: string) {
  for (const subscriber of channels.get(channel) ?? []) subscriber.message(payload)
}

export function pgliteNotifications(client: PGlite): Notifications {
  const channels: Channels = new Map()
  const unlisten = new Map<string, Promise<() => Promise<void>>>()
  return {
    subscribe(channel, subscriber) {
      let set = channels.get(channel)
      if (!set) {
        set = new Set()
        channels.set(channel, set)
        unlisten.set(
          channel,
          client.listen(channel, (payload) => deliver(channels, channel, payload)),
        )
      }
      set.add(subscriber)
      // Live once PGlite has registered the LISTEN: a notification sent before that would be missed.
      void unlisten.get(channel)?.then(() => subscriber.live?.(true))
      return () => set.delete(subscriber)
    },
    async close() {
      for (const subscriber of [...channels.values()].flatMap((s) => [...s])) subscriber.live?.(false)
      channels.clear()
    },
  }
}

const RECONNECT_FIRST_MS = 250
const RECONNECT_MAX_MS = 5_000

/** One dedicated connection (not from the pool: a pooled connection is shared, and LISTEN belongs to a session). */
export function postgresNotifications(connect: () => Client): Notifications {
  const channels: Channels = new Map()
  let client: Client | null = null
  let live = false
  let closed = false
  let delay = RECONNECT_FIRST_MS
  let timer: NodeJS.Timeout | undefined

  const setLive = (value: boolean) => {
    if (live === value) return
    live = value
    for (const subscriber of [...channels.values()].flatMap((s) => [...s])) subscriber.live?.(value)
  }
  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`

  const open = async () => {
    if (closed) return
    const next = connect()
    next.on('notification', (n) => deliver(channels, n.channel, n.payload ?? ''))
    const lost = (error?: unknown) => {
      if (client !== next) return
      client = null
      setLive(false)
      next.end().catch(() => {})
      if (closed) return
      if (error) log.warn('notification connection lost: reconnecting', { error, retryInMs: delay })
      timer = setTimeout(() => void open(), delay)
      timer.unref()
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
    }
    next.on('error', lost)
    next.on('end', () => lost())
    client = next
    try {
      await next.connect()
      for (const channel of channels.keys()) await next.query(`listen ${quote(channel)}`)
      delay = RECONNECT_FIRST_MS
      setLive(true)
    } catch (error) {
      lost(error)
    }
  }

  return {
    subscribe(channel, subscriber) {
      let set = channels.get(channel)
      if (!set) {
        set = new Set()
        channels.set(channel, set)
        // A new channel on a live connection: live for it only once its LISTEN is registered.
        if (client && live) {
          const current = client
          setLive(false)
          void current.query(`listen ${quote(channel)}`).then(
            () => setLive(true),
            (error: unknown) => current.emit('error', error),
          )
        }
      }
      set.add(subscriber)
      if (!client && !closed) void open()
      subscriber.live?.(live)
      return () => set.delete(subscriber)
    },
    async close() {
      closed = true
      clearTimeout(timer)
      setLive(false)
      channels.clear()
      const current = client
      client = null
      await current?.end().catch(() => {})
    },
  }
}
