// Every event stream open in this process, so shutdown can end them (a stream never ends by itself, and the server
// waits for open requests) and tests can prove that a closed stream leaves nothing behind. On globalThis: the route
// that opens streams and the shutdown hook live in different bundles.
const OPEN = Symbol.for('twofold.open-event-streams')
const TIMERS = Symbol.for('twofold.event-stream-timers')
const BY_OWNER = Symbol.for('twofold.event-streams-by-owner')

type Closable = { end(): void }
type Holder = { [OPEN]?: Set<Closable>; [TIMERS]?: { count: number }; [BY_OWNER]?: Map<string, number> }

function open(): Set<Closable> {
  const holder = globalThis as Holder
  holder[OPEN] ??= new Set()
  return holder[OPEN]
}

function timers(): { count: number } {
  const holder = globalThis as Holder
  holder[TIMERS] ??= { count: 0 }
  return holder[TIMERS]
}

/** Registers an open stream; the returned function unregisters it. */
export function trackStream(stream: Closable): () => void {
  open().add(stream)
  return () => open().delete(stream)
}

function byOwner(): Map<string, number> {
  const holder = globalThis as Holder
  holder[BY_OWNER] ??= new Map()
  return holder[BY_OWNER]
}

/**
 * Takes one of `owner`'s `max` stream places in this process, or null when all are taken; the returned function
 * gives it back (once). A stream holds a connection, a listener and a timer for as long as it is open, so one
 * account may not open them without end. Taken synchronously, before the stream opens, so a burst of requests
 * cannot all pass the count.
 */
export function takeStreamPlace(owner: string, max: number): (() => void) | null {
  const counts = byOwner()
  const taken = counts.get(owner) ?? 0
  if (taken >= max) return null
  counts.set(owner, taken + 1)
  let given = false
  return () => {
    if (given) return
    given = true
    const left = (counts.get(owner) ?? 1) - 1
    if (left > 0) counts.set(owner, left)
    else counts.delete(owner)
  }
}

/** A repeating timer that the counts below can see. */
export function streamInterval(run: () => void, ms: number): () => void {
  const counter = timers()
  const timer = setInterval(run, ms)
  timer.unref()
  counter.count += 1
  let cleared = false
  return () => {
    if (cleared) return
    cleared = true
    clearInterval(timer)
    counter.count -= 1
  }
}

/** Ends every open stream (shutdown). */
export function endAllStreams(): void {
  for (const stream of [...open()]) stream.end()
}

/** Open streams, their live timers and the owners holding stream places in this process: what tests compare before and after. */
export function openStreamCounts(): { streams: number; timers: number; owners: number } {
  return { streams: open().size, timers: timers().count, owners: byOwner().size }
}
