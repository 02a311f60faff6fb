// Every event stream open in this process, so shutdown can end them (a stream never ends by itself, and the server
// waits for open requests) and tests can prove that a closed stream leaves nothing behind. On globalThis: the route
// that opens streams and the shutdown hook live in different bundles.
const OPEN = Symbol.for('twofold.open-event-streams')
const TIMERS = Symbol.for('twofold.event-stream-timers')

type Closable = { end(): void }
type Holder = { [OPEN]?: Set<Closable>; [TIMERS]?: { count: number } }

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

/** Open streams and their live timers in this process: what tests compare before and after. */
export function openStreamCounts(): { streams: number; timers: number } {
  return { streams: open().size, timers: timers().count }
}
