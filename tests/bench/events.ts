// `npm run bench:events` (and the last part of `npm run bench`): how long a change takes to reach an event stream,
// on the same instance and across instances. Two app instances (server.js over `next build`) on one fresh
// PostgreSQL database; a project is created through A's API, one at a time, and the time is taken from sending the
// request to the event arriving on a stream held open on B (cross-instance) and on A (same instance). The request's
// own round trip is included: the event cannot be earlier than the commit, which comes just before the answer.
//
//   DATABASE_URL=postgres://… npm run bench:events        BENCH_EVENTS (default 200)
// Take the machine's build lock around it where others build and test: flock /tmp/twofold-next.lock npm run bench:events
import '../../scripts/load-env'
import { createProjectVia, openEvents, tokenIn, waitUntilReady } from '../support/live'
import { isPostgresRun } from '../support/postgres'
import { assertBuilt, type RunningServer, startServer, throwawayPostgres } from '../support/server'
import { readSse, type SseReader } from '../support/sse'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200)

if (!isPostgresRun()) throw new Error('the events bench runs on PostgreSQL: set DATABASE_URL=postgres://…')
assertBuilt()

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function stream(server: RunningServer, token: string, abort: AbortController): Promise<SseReader> {
  const response = await openEvents(server, token, abort.signal)
  if (response.status !== 200 || !response.body) throw new Error(`the stream answered ${response.status}`)
  const events = readSse(response.body)
  await events.next()
  return events
}

const database = await throwawayPostgres('twofold_bench_events')
const servers: RunningServer[] = []
const abort = new AbortController()
try {
  const env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn' }
  const a = await startServer({ env })
  servers.push(a)
  await waitUntilReady(a)
  const b = await startServer({ env })
  servers.push(b)
  await waitUntilReady(b)
  const token = await tokenIn(database.url)
  const [onA, onB] = [await stream(a, token, abort), await stream(b, token, abort)]

  const same: number[] = []
  const across: number[] = []
  const answered: number[] = []
  for (let i = 0; i < EVENTS + 10; i++) {
    const sent = performance.now()
    const response = await createProjectVia(a, token, `bench ${i}`)
    if (response.status !== 201) throw new Error(`create answered ${response.status}`)
    const answeredAt = performance.now()
    const [here, there] = await Promise.all([onA.nextEvent('activity'), onB.nextEvent('activity')])
    // The first ten warm both servers up.
    if (i >= 10) {
      answered.push(answeredAt - sent)
      same.push(here.at - sent)
      across.push(there.at - sent)
    }
  }
  const row = (name: string, values: number[]) =>
    `${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(values, 99).toFixed(1).padStart(6)} ms   max ${Math.max(
      ...values,
    )
      .toFixed(1)
      .padStart(6)} ms`
  console.log(`\nevent latency, change sent through A's API → event read from the stream (${EVENTS} changes, one at a time)`)
  console.log(row('the create’s own answer', answered))
  console.log(row('same instance (A → A)', same))
  console.log(row('across instances (A → B)', across))
} finally {
  abort.abort()
  await Promise.all(servers.map((server) => server.stop()))
  await database.drop()
}
