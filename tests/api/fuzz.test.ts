// Property-based: random and hostile methods, ids, headers, cursors, versions and bodies (JSON and multipart) at every
// public operation, the event stream included, through the real route modules called with Request objects on a real
// database. No answer is ever a 5xx, every answer is one the OpenAPI document declares, every error is problem+json,
// and a refused request leaves the database and the stored files as they were. A directed table first produces every
// status the API has, three times or more, whatever the seed; the random part adds its volume on top.
// FUZZ_RUNS (default 2000; CI runs 10,000) and FUZZ_SEED (printed on every run) reproduce a run.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { apiTokens, projects } from '../../src/server/db/schema'
import { openStreamCounts } from '../../src/server/live/open-streams'
import { directedCases } from '../support/fuzz-directed'
import { fuzzTargets } from '../support/fuzz-endpoints'
import { randomRequest, toSpec } from '../support/fuzz-inputs'
import { type KnownDefect, type Sender, sender, summarise } from '../support/fuzz-send'
import { snapshot } from '../support/fuzz-snapshot'
import { createWorld, forget, replenish, type World } from '../support/fuzz-world'

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
/** Every status the public API answers; the directed table produces each at least MIN_PER_STATUS times. */
const EXPECTED_STATUSES = [200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 412, 413, 415, 416, 422, 429]
const MIN_PER_STATUS = 3

const endpoints = fuzzTargets()

/**
 * Answers the API gives today that break the rules above, each tolerated (and counted in the log line) with its
 * reason. Empty: the three this fuzzer found (a bare 405 and an undeclared 422 on /api/v1/events, Next's own 404 for
 * an unknown /api/v1 path) were fixed by the API kernel (issue 24). Add an entry only with a reason and an issue.
 */
const KNOWN_DEFECTS: KnownDefect[] = []

let world: World
let api: Sender

beforeAll(async () => {
  world = await createWorld()
  api = sender(world, endpoints, KNOWN_DEFECTS)
})
afterAll(async () => {
  const { tally } = api
  const statuses = Object.fromEntries([...tally.statuses].sort(([a], [b]) => a - b))
  console.log(
    `fuzz: seed ${SEED}, sent ${tally.sent} requests; statuses: ${JSON.stringify(statuses)}; ms in requests ${Math.round(tally.ms.requests)}, in snapshots ${Math.round(tally.ms.snapshots)}`,
  )
  if (tally.defects.size) console.log(`fuzz: known defects met: ${JSON.stringify(Object.fromEntries(tally.defects))}`)
  await world.database.close()
})

test('every public operation is a fuzz target, the event stream included, and every API route file serves one', () => {
  const apiDir = path.resolve(import.meta.dirname, '../../src/app/api/v1')
  const routeFiles = readdirSync(apiDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => `/api/v1/${path.dirname(file).split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}'))
    // The OpenAPI document is a fixed answer, not an operation; the catch-all is the 404 for every other path.
    .filter((route) => route !== '/api/v1/openapi.json' && !route.includes('[...'))
  expect(routeFiles.sort()).toEqual([...new Set(endpoints.map((endpoint) => endpoint.path))].sort())
  expect(endpoints.map((endpoint) => endpoint.kind).sort()).toEqual(expect.arrayContaining(['download', 'events', 'json', 'upload']))
  expect(endpoints.find((endpoint) => endpoint.path === '/api/v1/events')?.kind).toBe('events')
})

test('the snapshot sees a committed write, and not a rolled-back one or a token being presented', async () => {
  const { database, storageDir } = world
  const now = () => snapshot(database, storageDir, true)
  const start = await now()
  await database.db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, world.owner.tokenId))
  await database.db
    .transaction(async (tx) => {
      await tx
        .update(projects)
        .set({ name: 'Rolled back' })
        .where(eq(projects.id, world.live[0] ?? ''))
      throw new Error('roll back')
    })
    .catch(() => {})
  expect(await now()).toEqual(start)
  await database.db
    .update(projects)
    .set({ description: 'Changed' })
    .where(eq(projects.id, world.live[0] ?? ''))
  expect((await now()).writes).not.toBe(start.writes)
})

test('directed: every status the API has, three times or more, and every operation answered with success', async () => {
  for (const directed of directedCases) {
    const spec = await directed.spec(world)
    const response = await api.send(spec)
    expect(response.status, `${directed.what}: ${summarise(spec)}`).toBe(directed.status)
  }
  const seen = Object.fromEntries(EXPECTED_STATUSES.map((status) => [status, api.tally.statuses.get(status) ?? 0]))
  const missing = EXPECTED_STATUSES.filter((status) => (api.tally.statuses.get(status) ?? 0) < MIN_PER_STATUS)
  expect(missing, `statuses seen: ${JSON.stringify(seen)}`).toEqual([])
  const unreached = endpoints.filter((endpoint) => !api.tally.succeeded.has(endpoint.name)).map((endpoint) => endpoint.name)
  expect(unreached).toEqual([])
}, 120_000)

test(`random: no input makes the API answer with a 5xx or write on a refused request (${RUNS} requests)`, async () => {
  const before = api.tally.sent
  const reachedBefore = new Map(api.tally.reached)
  await fc.assert(
    fc.asyncProperty(randomRequest(endpoints), async (r) => {
      await replenish(world)
      const { spec, ids } = await toSpec(world, r)
      const response = await api.send(spec)
      if (spec.method === 'DELETE' && response.status === 204) {
        await forget(world, r.path.includes('{fileId}') ? { projectId: ids.id, fileId: ids.fileId } : { projectId: ids.id })
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  )
  expect(api.tally.sent - before).toBe(RUNS)
  // Every event stream the run opened was cancelled right after its headers: none is left open, nor its heartbeat.
  expect(openStreamCounts()).toEqual({ streams: 0, timers: 0, owners: 0 })
  // Each operation takes a few percent of the random requests; one that gets almost none is no longer generated.
  const least = Math.max(1, Math.floor(RUNS / 200))
  const reached = (name: string) => (api.tally.reached.get(name) ?? 0) - (reachedBefore.get(name) ?? 0)
  const unreached = endpoints
    .filter((endpoint) => reached(endpoint.name) < least)
    .map((endpoint) => `${endpoint.name}: ${reached(endpoint.name)}`)
  expect(unreached).toEqual([])
}, 900_000)
