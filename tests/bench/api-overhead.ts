// `npm run bench`: what the public API's adapter costs on top of the work it must do, and whether serving
// requests holds on to memory. Every figure is a ratio against a baseline measured in this same run on the
// same database, so the machine's speed cancels out. A missed target exits 1. In-memory PGlite by default;
// with DATABASE_URL=postgres://… a fresh database on that server, dropped afterwards.
import '../../scripts/load-env'
import './quiet-log'
import { Bench } from 'tinybench'
import { openDatabase } from '../../src/server/db/client'
import * as projects from '../../src/server/services/projects'
import * as tokens from '../../src/server/services/tokens'
import { createApi, jsonRequest, userWithToken } from '../support/api'
import { contextFor, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'
import { isPostgresRun, openThrowawayDatabase } from '../support/postgres'

/**
 * The floor for any adapter with our guarantees is the same three database round trips done by hand: look
 * the token up, count the hit, call the service. What the route adds on top (reading and validating the
 * request, shaping the output, headers, JSON) must stay a small share of it.
 */
const MAX_ROUTE_TO_FLOOR = 1.5
/** Heap after many requests against heap after warm-up: growth beyond noise would be a leak per request. */
const MAX_HEAP_GROWTH = 1.1
const MEMORY_REQUESTS = 10_000
/** Short tinybench runs per pair; the median of their ratios is reported. */
const ROUNDS = 7

const gc = globalThis.gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)')

const database = isPostgresRun()
  ? await openThrowawayDatabase(`twofold_bench_${process.pid}_${Date.now()}`)
  : await openDatabase({ kind: 'pglite', dataDir: null })
console.log(`on ${database.kind}: ${ROUNDS} runs of 0.3 s per task and pair, medians reported`)
// A budget no benchmark reaches: the limiter still counts every request, as in production.
const api = createApi(database, { apiPoints: 10_000_000 })
const caller = await userWithToken(database)
const ctx = contextFor(database, sessionActor(caller.userId))
// A Pro workspace: the benchmark creates far more than Free's three projects, and measures the path a paying API takes.
await makePro(database, personalWorkspace(caller.userId))
const seeded = await Promise.all(Array.from({ length: 200 }, (_, i) => projects.create(ctx, { name: `Project ${i}` })))
const oneId = seeded[0]?.id ?? ''
const auth = { headers: { Authorization: caller.authorization } }

async function read(path: string) {
  const response = await api.fetch(path, auth)
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  await response.arrayBuffer()
}

async function post(body: unknown) {
  const response = await api.fetch('/api/v1/projects', jsonRequest('POST', body, caller.authorization))
  if (response.status !== 201) throw new Error(`POST: ${response.status} ${await response.text()}`)
  await response.arrayBuffer()
}

/** The database work every authenticated API request does before its service call. */
async function authenticateAndCount() {
  const actor = await tokens.authenticate(database.db, caller.token, new Date())
  if (actor?.type !== 'user' || actor.via !== 'token') throw new Error('token refused')
  await api.limits.api.consume(actor.tokenId)
}

type Pair = { name: string; service: () => Promise<unknown>; route: () => Promise<unknown> }

const pairs: Pair[] = [
  {
    name: 'list 20 of 200',
    service: () => projects.list(ctx, { limit: 20 }),
    route: () => read('/api/v1/projects?limit=20'),
  },
  {
    name: 'get one',
    service: () => projects.get(ctx, { id: oneId }),
    route: () => read(`/api/v1/projects/${oneId}`),
  },
  {
    // Last: it grows the table the reads above page through.
    name: 'create',
    service: () => projects.create(ctx, { name: 'Bench', description: 'Created by the benchmark' }),
    route: () => post({ name: 'Bench', description: 'Created by the benchmark' }),
  },
]

type Row = { figure: string; baseline: string; measured: string; ratio: number; target: string; met: boolean }
const rows: Row[] = []
const ms = (value: number) => `${value.toFixed(3)} ms`

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

/** Mean latency of each task in one short tinybench run. */
async function meanLatencies(tasks: Record<string, () => Promise<unknown>>, time: number) {
  const bench = new Bench({ time, warmupTime: 100 })
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
  await bench.run()
  return bench.tasks.map((task) => {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`)
    return task.result.latency.mean
  })
}

for (const pair of pairs) {
  // Short runs, many times, each ratio taken within one run: a machine that slows down between the tasks of
  // one long run would otherwise show up as the adapter's cost. The median of the runs is reported.
  const runs: { service: number; floor: number; route: number }[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [service = Number.NaN, floor = Number.NaN, route = Number.NaN] = await meanLatencies(
      {
        service: pair.service,
        floor: async () => {
          await authenticateAndCount()
          await pair.service()
        },
        route: pair.route,
      },
      300,
    )
    runs.push({ service, floor, route })
  }
  const typical = {
    service: median(runs.map((run) => run.service)),
    floor: median(runs.map((run) => run.floor)),
    route: median(runs.map((run) => run.route)),
  }
  const toFloor = median(runs.map((run) => run.route / run.floor))
  rows.push({
    figure: `${pair.name}: route ÷ token + rate limit + service by hand`,
    baseline: ms(typical.floor),
    measured: ms(typical.route),
    ratio: toFloor,
    target: `≤ ${MAX_ROUTE_TO_FLOOR}`,
    met: toFloor <= MAX_ROUTE_TO_FLOOR,
  })
  rows.push({
    figure: `${pair.name}: route ÷ the bare service call`,
    baseline: ms(typical.service),
    measured: ms(typical.route),
    ratio: median(runs.map((run) => run.route / run.service)),
    target: '(reported)',
    met: true,
  })
}

async function serve(count: number) {
  for (let i = 0; i < count; i++) await (i % 2 ? read('/api/v1/projects?limit=20') : read(`/api/v1/projects/${oneId}`))
}

function settledHeap() {
  gc?.()
  gc?.() // a second pass collects what the first one's finalizers let go
  return process.memoryUsage().heapUsed
}

await serve(2_000)
const heapAfterWarmUp = settledHeap()
await serve(MEMORY_REQUESTS)
const heapAfterLoad = settledHeap()
const growth = heapAfterLoad / heapAfterWarmUp
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
rows.push({
  figure: `heap after ${MEMORY_REQUESTS.toLocaleString('en')} more requests ÷ after warm-up`,
  baseline: mb(heapAfterWarmUp),
  measured: mb(heapAfterLoad),
  ratio: growth,
  target: `≤ ${MAX_HEAP_GROWTH}`,
  met: growth <= MAX_HEAP_GROWTH,
})

await database.close()

console.table(rows.map((row) => ({ ...row, ratio: row.ratio.toFixed(2), met: row.met ? 'yes' : 'NO' })))
const missed = rows.filter((row) => !row.met)
if (missed.length) {
  console.error(`missed: ${missed.map((row) => row.figure).join('; ')}`)
  process.exit(1)
}
