// Properties 1 and 2: a rolling restart under a mixed load loses nothing. Writers create, rename, list, upload and
// delete through HAProxy; a page loop reads the app's pages; event-stream readers follow one workspace and reconnect
// with Last-Event-ID whenever their stream ends. Meanwhile every instance in turn gets SIGTERM (it drains: readiness
// 503, HAProxy takes it out, then it stops listening) and is started again. Afterwards: no 5xx and no connection
// error, every acknowledged write is in the database, and each reader saw every event of the workspace once, in order.
import { and, eq, gt, inArray } from 'drizzle-orm'
import type { Cluster, InstanceName } from '../../scripts/cluster'
import type { Database } from '../../src/server/db/client'
import { activity, files, projects, workspaces } from '../../src/server/db/schema'
import { readSse } from '../support/sse'
import { mintToken, type Person, type PropertyResult, signUp, sleep, Tally } from './fixtures'

export type RollingRestartOptions = {
  /** Instances restarted, in this order. */
  order: InstanceName[]
  writers: number
  readers: number
  /** Upper bound on each writer's iterations (each is up to five requests). */
  maxIterations: number
  /** Pause between a writer's iterations. */
  paceMs: number
}

// A writer makes at most 5 requests an iteration and 400 iterations: with 8 tokens none can reach 600 in a minute.
const TOKENS_PER_WRITER = 8

type Acknowledged = { names: Map<string, string>; deleted: Set<string>; files: Set<string> }

async function writer(
  cluster: Cluster,
  tokens: string[],
  label: string,
  tally: Tally,
  ack: Acknowledged,
  options: RollingRestartOptions,
  stop: () => boolean,
) {
  for (let i = 0; i < options.maxIterations && !stop(); i++) {
    // Tokens in turn: the load is about restarts, not about one token's budget (600 requests a minute).
    const auth = { Authorization: `Bearer ${tokens[i % tokens.length]}` }
    const json = { ...auth, 'Content-Type': 'application/json' }
    const name = `${label}-${i}`
    const created = await tally.send(
      'create',
      `${cluster.url}/api/v1/projects`,
      { method: 'POST', headers: json, body: JSON.stringify({ name }) },
      [201],
    )
    if (created?.status !== 201) continue
    const { id } = (await created.json()) as { id: string }
    ack.names.set(id, name)
    const renamed = `${name}-renamed`
    const updated = await tally.send('update', `${cluster.url}/api/v1/projects/${id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ name: renamed }),
    })
    if (updated?.status === 200) ack.names.set(id, renamed)
    await tally.send('list', `${cluster.url}/api/v1/projects?limit=20`, { headers: auth })
    if (i % 3 === 0) {
      const form = new FormData()
      form.append('file', new Blob([`note ${name}\n`.repeat(200)], { type: 'text/plain' }), `${name}.txt`)
      const uploaded = await tally.send(
        'upload',
        `${cluster.url}/api/v1/projects/${id}/files`,
        { method: 'POST', headers: auth, body: form },
        [201],
      )
      if (uploaded?.status === 201) ack.files.add(((await uploaded.json()) as { id: string }).id)
    } else if (i % 4 === 1) {
      const deleted = await tally.send('delete', `${cluster.url}/api/v1/projects/${id}`, { method: 'DELETE', headers: auth }, [204])
      if (deleted?.status === 204) ack.deleted.add(id)
    }
    await sleep(options.paceMs)
  }
}

async function pageReader(cluster: Cluster, person: Person, tally: Tally, stop: () => boolean) {
  for (let i = 0; i < 10_000 && !stop(); i++) {
    await tally.send('page', `${cluster.url}/sign-in`)
    await tally.send('workspace page', `${cluster.url}/w/${person.slug}`, { headers: { Cookie: person.cookie }, redirect: 'manual' })
    await tally.send('liveness', `${cluster.url}/api/health`)
    await sleep(100)
  }
}

type Reader = { ids: number[]; connections: number }

/** Follows the stream through HAProxy, reconnecting with Last-Event-ID whenever it ends, until `done()` says so. */
async function follow(cluster: Cluster, token: string, tally: Tally, reader: Reader, done: () => boolean) {
  while (!done()) {
    const abort = new AbortController()
    const last = reader.ids.at(-1)
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(last ? { 'Last-Event-ID': String(last) } : {}) }
    const response = await tally.send('events', `${cluster.url}/api/v1/events`, { headers, signal: abort.signal })
    if (response?.status !== 200 || !response.body) {
      await sleep(200)
      continue
    }
    reader.connections++
    const events = readSse(response.body)
    for (;;) {
      const block = await events.next(500).catch((error: Error) => (error.message === 'the stream ended' ? null : undefined))
      if (block === null) break
      if (block?.event === 'activity' && block.id) reader.ids.push(Number(block.id))
      if (block?.event === 'reset') tally.failures.push('events: reset (the reader fell more than the replay behind)')
      if (done()) break
    }
    abort.abort()
  }
}

type Restart = {
  instance: InstanceName
  exitCode: number | null
  /** What the instance's own readiness check answered just after SIGTERM (503: it is draining, still listening). */
  readinessWhileDraining: number | string
  /** When HAProxy had marked it DOWN, from SIGTERM (null: not before it exited). */
  haproxyDownAfterMs: number | null
  exitedAfterMs: number
  readyAgainAfterMs: number
}

/** SIGTERM, and watch it drain: readiness turns 503 and HAProxy takes the instance out before it exits; then start it. */
async function drainAndRestart(cluster: Cluster, name: InstanceName): Promise<Restart> {
  const instance = cluster.instance(name)
  const t0 = performance.now()
  let exitedAt: number | null = null
  const exited = instance.stop('SIGTERM').then((code) => {
    exitedAt = performance.now()
    return code
  })
  await sleep(200)
  const readinessWhileDraining = await fetch(`${instance.url}/api/health/ready`).then(
    (response) => response.status,
    () => 'connection refused',
  )
  let downAt: number | null = null
  while (exitedAt === null) {
    if (downAt === null && (await cluster.serverStates()).get(name)?.startsWith('DOWN')) downAt = performance.now()
    await sleep(50)
  }
  const exitCode = await exited
  await instance.start()
  await cluster.waitForState(name, 'UP')
  return {
    instance: name,
    exitCode,
    readinessWhileDraining,
    haproxyDownAfterMs: downAt === null ? null : Math.round(downAt - t0),
    exitedAfterMs: Math.round((exitedAt ?? t0) - t0),
    readyAgainAfterMs: Math.round(performance.now() - t0),
  }
}

async function workspaceEvents(database: Database, workspaceId: string, after = 0): Promise<number[]> {
  const rows = await database.db
    .select({ id: activity.id })
    .from(activity)
    .where(and(eq(activity.workspaceId, workspaceId), gt(activity.id, after)))
    .orderBy(activity.id)
  return rows.map((row) => row.id)
}

export async function rollingRestart(cluster: Cluster, database: Database, options: RollingRestartOptions): Promise<PropertyResult> {
  const tally = new Tally()
  const ack: Acknowledged = { names: new Map(), deleted: new Set(), files: new Set() }
  const people = await Promise.all(Array.from({ length: options.writers }, () => signUp(database, cluster)))
  const tokens = await Promise.all(
    people.map((person) => Promise.all(Array.from({ length: TOKENS_PER_WRITER }, () => mintToken(database, person).then((t) => t.token)))),
  )
  const [watched] = people
  if (!watched) throw new Error('at least one writer')
  const readerToken = (await mintToken(database, watched, 'events')).token
  const [workspace] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, watched.slug))
  if (!workspace) throw new Error('no workspace')

  // Events before the readers connect (the sign-up's own) are not theirs to receive.
  const floor = (await workspaceEvents(database, workspace.id)).at(-1) ?? 0
  let stopping = false
  let readersDone = false
  const readers: Reader[] = Array.from({ length: options.readers }, () => ({ ids: [], connections: 0 }))
  // Readers first, so that they see every event of the writes that follow.
  const following = readers.map((reader) => follow(cluster, readerToken, tally, reader, () => readersDone))
  await sleep(1_000)
  const writing = tokens.map((own, n) => writer(cluster, own, `w${n}`, tally, ack, options, () => stopping))
  const reading = pageReader(cluster, watched, tally, () => stopping)

  const restarts: Restart[] = []
  const started = performance.now()
  await sleep(3_000)
  for (const name of options.order) {
    const restart = await drainAndRestart(cluster, name)
    restarts.push(restart)
    if (restart.exitCode !== 0) tally.failures.push(`${name} exited with ${restart.exitCode} on SIGTERM`)
    if (restart.readinessWhileDraining !== 503)
      tally.failures.push(`${name}: readiness answered ${restart.readinessWhileDraining} while it drained, not 503`)
    if (restart.haproxyDownAfterMs === null) tally.failures.push(`${name}: HAProxy never took it out before it exited`)
    await sleep(1_500)
  }
  await sleep(2_000)
  stopping = true
  await Promise.all([...writing, reading])
  const seconds = (performance.now() - started) / 1000

  // Every event the workspace has, against what each reader received.
  const expected = () => workspaceEvents(database, workspace.id, floor)
  const deadline = Date.now() + 20_000
  let all = await expected()
  while (Date.now() < deadline && readers.some((reader) => reader.ids.at(-1) !== all.at(-1))) {
    await sleep(200)
    all = await expected()
  }
  readersDone = true
  await Promise.all(following)

  const events = readers.map((reader, n) => {
    const wanted = all
    const seen = new Map<number, number>()
    for (const id of reader.ids) seen.set(id, (seen.get(id) ?? 0) + 1)
    const lost = wanted.filter((id) => !seen.has(id)).length
    const doubled = [...seen.values()].filter((times) => times > 1).length
    const outOfOrder = reader.ids.filter((id, i) => i > 0 && id <= (reader.ids[i - 1] ?? 0)).length
    return { reader: n, sent: wanted.length, received: reader.ids.length, lost, doubled, outOfOrder, connections: reader.connections }
  })
  const failures = [...tally.failures]
  for (const e of events) {
    if (e.lost || e.doubled || e.outOfOrder)
      failures.push(`events: reader ${e.reader} lost ${e.lost}, doubled ${e.doubled}, out of order ${e.outOfOrder}`)
    if (e.sent === 0) failures.push(`events: reader ${e.reader} had nothing to check`)
  }

  // Every acknowledged write, in the database as acknowledged.
  const ids = [...ack.names.keys()]
  const rows = ids.length
    ? await database.db.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, ids))
    : []
  const found = new Map(rows.map((row) => [row.id, row.name]))
  let lost = 0
  for (const [id, name] of ack.names) {
    const present = found.get(id)
    if (ack.deleted.has(id) ? present !== undefined : present !== name) lost++
  }
  const fileIds = [...ack.files]
  const fileRows = fileIds.length ? await database.db.select({ id: files.id }).from(files).where(inArray(files.id, fileIds)) : []
  lost += fileIds.length - fileRows.length
  if (lost > 0) failures.push(`${lost} acknowledged writes are not in the database as acknowledged`)

  // How often HAProxy had to try another instance (`show stat`: wretr, wredis on the backends' rows).
  let retries = 0
  let redispatches = 0
  for (const row of (await cluster.admin('show stat')).split('\n')) {
    const columns = row.split(',')
    if (columns[1] !== 'BACKEND') continue
    retries += Number(columns[15] || 0)
    redispatches += Number(columns[16] || 0)
  }

  return {
    name: 'rolling restart under load, and event streams across it',
    holds: failures.length === 0,
    figures: {
      seconds: Math.round(seconds),
      requests: tally.requests,
      '2xx': tally.ok,
      failures: tally.failures.length,
      writesAcknowledged: ack.names.size + ack.deleted.size + ack.files.size,
      writesLost: lost,
      restarts: restarts.length,
      haproxyRetries: retries,
      haproxyRedispatches: redispatches,
      restartDetail: restarts,
      statuses: Object.fromEntries(tally.statuses),
      events,
    },
    failures: failures.slice(0, 20),
  }
}
