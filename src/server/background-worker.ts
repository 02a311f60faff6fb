// The loop every in-process worker shares (the mail outbox, Stripe events): a round every few seconds, and soon after
// a nudge. Rounds run one at a time: a nudge during a round asks for one more round after it, never a second round
// alongside. What a round does, and what it logs when it fails, is the worker's own.

export type BackgroundWorker = {
  /** Asks for a round now (after a commit that queued work), instead of at the next tick. */
  nudge(): void
  /** Stops the ticks and waits for a round in progress, so the database can be closed after it. */
  stop(): Promise<void>
}

/**
 * Starts the loop, with a first round at once (whatever the last instance left is due already). `round` must not
 * throw: a failed round (the database is down) is the worker's to log, and the next tick tries again. It is told
 * whether the worker is stopping, to end a long round early.
 */
export function startBackgroundWorker(round: (stopping: () => boolean) => Promise<void>, intervalMs: number): BackgroundWorker {
  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const stopping = () => stopped

  const schedule = () => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(run, intervalMs)
    // The worker alone must not keep a process alive (a script, a test, shutdown).
    timer.unref()
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
        await round(stopping)
      } while (again && !stopped)
    })().finally(() => {
      running = null
      schedule()
    })
  }

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
