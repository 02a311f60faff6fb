// GET /api/v1/events in-process, through the event-stream renderer (transports/to-event-stream.ts) on a real database: the SSE
// framing and headers, resumption with Last-Event-ID, the end of a stream whose token is revoked or whose member is
// removed, the session cookie's same-origin rule, and 1,000 streams opened and dropped leaving nothing behind.
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { activity, memberships, workspaces } from '../../src/server/db/schema'
import { activityHub } from '../../src/server/live/activity-hub'
import { RESUME_MAX } from '../../src/server/live/activity-stream'
import { openStreamCounts } from '../../src/server/live/open-streams'
import { log } from '../../src/server/log'
import { activityEvents } from '../../src/server/operations/activity'
import { createLimits } from '../../src/server/runtime'
import * as feed from '../../src/server/services/activity-feed'
import * as members from '../../src/server/services/members'
import * as projects from '../../src/server/services/projects'
import * as tokens from '../../src/server/services/tokens'
import type { ApiDeps } from '../../src/server/transports/api-call'
import { MAX_STREAMS_PER_ACCOUNT } from '../../src/server/transports/to-event-stream'
import { mountRoutes } from '../../src/server/transports/to-route'
import { bearerTokenFor, ORIGIN, userWithToken } from '../support/api'
import { contextDepsFor, contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'
import { isPostgresRun } from '../support/postgres'

let database: Database
let events: ReturnType<typeof mountRoutes>
// The session "cookie" of these tests is the user id itself: the adapter's seam for reading sessions (Better Auth in
// the app), so the same-origin rule can be tested without signing in.
const deps = (): ApiDeps => ({
  runtime: async () => ({ context: { ...contextDepsFor(database), appUrl: ORIGIN }, limits: createLimits(database) }),
  sessionUserId: async (headers) => {
    const id = /session=([\w-]+)/.exec(headers.get('cookie') ?? '')?.[1]
    return id ? { userId: id, sessionId: '' } : null
  },
  log,
  heartbeatMs: 200,
})

beforeAll(async () => {
  database = await createTestDatabase()
  events = mountRoutes([activityEvents], deps())
})
afterAll(() => database.close())

type Reader = { next(timeoutMs?: number): Promise<string>; text: () => string; close(): void; ended: Promise<void> }

/** Opens the stream; `next()` resolves with the text once a new complete event (or comment) has arrived. */
async function open(headers: Record<string, string>, query = ''): Promise<{ response: Response; reader: Reader }> {
  const abort = new AbortController()
  const response = await events.GET(new Request(`${ORIGIN}/api/v1/events${query}`, { headers, signal: abort.signal }))
  if (response.status !== 200 || !response.body) return { response, reader: null as unknown as Reader }
  const body = response.body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const wake: { waiting: (() => void) | null } = { waiting: null }
  const ended = (async () => {
    for (;;) {
      const { done, value } = await body.read().catch(() => ({ done: true, value: undefined }))
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      wake.waiting?.()
    }
    wake.waiting?.()
  })()
  let consumed = 0
  const reader: Reader = {
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const end = buffer.indexOf('\n\n', consumed)
        if (end >= 0) {
          const block = buffer.slice(consumed, end)
          consumed = end + 2
          return block
        }
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms; so far: ${buffer}`)
        await Promise.race([
          new Promise<void>((resolve) => {
            wake.waiting = resolve
          }),
          ended,
          new Promise((r) => setTimeout(r, 50)),
        ])
      }
    },
    text: () => buffer,
    close: () => abort.abort(),
    ended,
  }
  return { response, reader }
}

/** The next `event: activity` block, parsed (heartbeats skipped). */
async function nextActivity(reader: Reader): Promise<{ id: number; kind: string; name?: string }> {
  for (;;) {
    const block = await reader.next()
    if (!block.includes('event: activity')) continue
    const id = Number(/^id: (\d+)$/m.exec(block)?.[1])
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null')
    return { id, kind: data.kind, name: data.data?.name }
  }
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

describe('the event stream', () => {
  test('answers with the SSE headers, retry:, then each change as an event with its id', async () => {
    const owner = await userWithToken(database)
    const { response, reader } = await open(bearer(owner.token))
    try {
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
      expect(response.headers.get('x-accel-buffering')).toBe('no')
      expect(await reader.next()).toBe('retry: 3000')
      const project = await projects.create(contextFor(database, sessionActor(owner.userId)), { name: 'Live one' })
      const event = await nextActivity(reader)
      expect(event).toMatchObject({ kind: 'project.created', name: 'Live one' })
      expect(reader.text()).toContain(`"subjectId":"${project.id}"`)
    } finally {
      reader.close()
    }
  })

  test('sends a comment heartbeat', async () => {
    const owner = await userWithToken(database)
    const { reader } = await open(bearer(owner.token))
    try {
      await reader.next()
      expect(await reader.next(2_000)).toBe(': heartbeat')
    } finally {
      reader.close()
    }
  })

  test('resumes after Last-Event-ID: what was missed, in order, then what is new', async () => {
    const owner = await userWithToken(database)
    // Four projects: more than Free allows.
    await makePro(database, personalWorkspace(owner.userId))
    const ctx = contextFor(database, sessionActor(owner.userId))
    await projects.create(ctx, { name: 'A' })
    const [last] = (await feed.list(ctx, { limit: 1 })).items
    await projects.create(ctx, { name: 'B' })
    await projects.create(ctx, { name: 'C' })
    const { reader } = await open({ ...bearer(owner.token), 'Last-Event-ID': String(last?.id) })
    try {
      expect((await nextActivity(reader)).name).toBe('B')
      expect((await nextActivity(reader)).name).toBe('C')
      await projects.create(ctx, { name: 'D' })
      expect((await nextActivity(reader)).name).toBe('D')
    } finally {
      reader.close()
    }
  })

  test('a client too far behind gets reset (with the latest id), then only what is new', async () => {
    const owner = await userWithToken(database)
    const ctx = contextFor(database, sessionActor(owner.userId))
    const first = await projects.create(ctx, { name: 'first' })
    const [workspace] = await database.db.select({ id: activity.workspaceId }).from(activity).where(eq(activity.subjectId, first.id))
    if (!workspace) throw new Error('no activity row')
    const rows = Array.from({ length: RESUME_MAX + 1 }, (_, i) => ({
      workspaceId: workspace.id,
      actorId: null,
      kind: 'project.updated',
      data: { name: `n${i}` },
    }))
    await database.db.insert(activity).values(rows)
    const { reader } = await open({ ...bearer(owner.token), 'Last-Event-ID': '1' })
    try {
      await reader.next()
      const reset = await reader.next()
      expect(reset).toMatch(/^id: \d+\nevent: reset\ndata: \{\}$/)
      await projects.create(ctx, { name: 'after the reset' })
      expect((await nextActivity(reader)).name).toBe('after the reset')
    } finally {
      reader.close()
    }
  })

  test('ends when its token is revoked', async () => {
    const owner = await userWithToken(database)
    const { reader } = await open(bearer(owner.token))
    await reader.next()
    await tokens.revoke(contextFor(database, sessionActor(owner.userId)), { id: owner.tokenId })
    await expect(
      Promise.race([reader.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]),
    ).resolves.toBe('ended')
  })

  test('ends when its member is removed from the workspace', async () => {
    const ownerId = await createUser(database, 'Owner')
    const slug = personalWorkspace(ownerId)
    const owner = contextFor(database, sessionActor(ownerId), undefined, slug)
    const memberId = await createUser(database, 'Member')
    const [ws] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
    if (!ws) throw new Error('no workspace')
    await database.db.insert(memberships).values({ workspaceId: ws.id, userId: memberId, role: 'member', createdAt: new Date() })
    const { reader } = await open({ Cookie: `session=${memberId}`, 'Sec-Fetch-Site': 'same-origin' }, `?workspace=${slug}`)
    await reader.next()
    await members.remove(owner, { userId: memberId })
    await expect(
      Promise.race([reader.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]),
    ).resolves.toBe('ended')
  })

  test.each([
    ['no token', {}, 401, 'UNAUTHENTICATED'],
    ['a session from another site', { Cookie: 'session=SELF', 'Sec-Fetch-Site': 'cross-site' }, 403, 'FORBIDDEN'],
    ['a session from another origin', { Cookie: 'session=SELF', Origin: 'https://evil.example' }, 403, 'FORBIDDEN'],
  ])('refuses %s', async (_, headers: Record<string, string>, status, code) => {
    const userId = await createUser(database)
    const filled = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('SELF', userId)]))
    const { response } = await open(filled, `?workspace=${personalWorkspace(userId)}`)
    expect(response.status).toBe(status)
    expect(await response.json()).toMatchObject({ code })
    // Refused after the kernel counted it, like every other API answer: the budget is in the headers.
    expect(response.headers.get('ratelimit-limit')).toMatch(/^\d+$/)
    expect(response.headers.get('x-request-id')).toBeTruthy()
  })

  test('another method is 405 problem+json with Allow and the budget, like every API path', async () => {
    const response = await events.POST(new Request(`${ORIGIN}/api/v1/events`, { method: 'POST' }))
    expect(response.status).toBe(405)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(response.headers.get('allow')).toBe('GET, OPTIONS, HEAD')
    expect(response.headers.get('ratelimit-limit')).toMatch(/^\d+$/)
  })

  test('?after= that is no activity id is 422, as the OpenAPI document declares', async () => {
    const owner = await userWithToken(database)
    const { response } = await open(bearer(owner.token), '?after=yesterday')
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'VALIDATION' })
  })

  test('refuses a token without projects:read, and a session in a workspace it is not a member of', async () => {
    const narrow = await userWithToken(database, ['members:read'])
    expect((await open(bearer(narrow.token))).response.status).toBe(403)
    const stranger = await createUser(database)
    const other = await createUser(database)
    const { response } = await open({ Cookie: `session=${stranger}` }, `?workspace=${personalWorkspace(other)}`)
    expect(response.status).toBe(404)
  })

  test(`one account holds at most ${MAX_STREAMS_PER_ACCOUNT} streams at once: the next is 429 until one ends; others are not affected`, async () => {
    const owner = await userWithToken(database)
    const second = await bearerTokenFor(database, owner.userId)
    const before = openStreamCounts()
    const held: Reader[] = []
    try {
      // Through two tokens of the account, and its session: the places belong to the account.
      for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) {
        const { response, reader } =
          i === 0
            ? await open({ Cookie: `session=${owner.userId}` }, `?workspace=${personalWorkspace(owner.userId)}`)
            : await open(bearer(i % 2 ? owner.token : second.token))
        expect(response.status).toBe(200)
        await reader.next()
        held.push(reader)
      }
      const refused = await open(bearer(second.token))
      expect(refused.response.status).toBe(429)
      expect(refused.response.headers.get('retry-after')).toBe('30')
      expect(await refused.response.json()).toMatchObject({ code: 'RATE_LIMITED' })

      const someoneElse = await userWithToken(database)
      const theirs = await open(bearer(someoneElse.token))
      expect(theirs.response.status).toBe(200)
      theirs.reader.close()
      await theirs.reader.ended

      const first = held.shift()
      first?.close()
      await first?.ended
      const again = await open(bearer(owner.token))
      expect(again.response.status).toBe(200)
      held.push(again.reader)
    } finally {
      for (const reader of held) reader.close()
      await Promise.all(held.map((reader) => reader.ended))
    }
    // Every place is given back: the account holds none.
    await vi.waitFor(() => expect(openStreamCounts()).toEqual(before))
  })

  test('1,000 streams opened and dropped leave no stream, timer, listener or connection behind', async () => {
    const owner = await userWithToken(database)
    // Four tokens: each stays within the API's 600 requests a minute.
    const presented = [owner.token, ...(await Promise.all([1, 2, 3].map(() => bearerTokenFor(database, owner.userId)))).map((t) => t.token)]
    const hub = activityHub(database.notifications)
    // Connections checked out of the pool (none may be kept by a closed stream); the listener is one more, for good.
    const connections = () => (database.pool ? database.pool.totalCount - database.pool.idleCount : 0)
    const before = { ...openStreamCounts(), ...hub.stats(), connections: connections() }
    for (let i = 0; i < 1_000; i++) {
      const { reader } = await open(bearer(presented[i % presented.length] ?? ''))
      await reader.next()
      reader.close()
      await reader.ended
    }
    // One stream still open while counting proves the counters count.
    const { reader } = await open(bearer(owner.token))
    await reader.next()
    expect(openStreamCounts()).toEqual({ streams: before.streams + 1, timers: before.timers + 1, owners: before.owners + 1 })
    expect(hub.stats().listeners).toBe(before.listeners + 1)
    reader.close()
    await reader.ended
    // A query in flight (the rate limiter's batched write, a stream's last read) returns its connection when it
    // finishes; a leaked one never does.
    for (const started = Date.now(); connections() > before.connections && Date.now() - started < 3_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const { connections: connectionsBefore, ...countsBefore } = before
    expect({ ...openStreamCounts(), ...hub.stats() }).toEqual(countsBefore)
    // At most as many as before: the count before may itself have caught a query in flight (a batched write).
    expect(connections()).toBeLessThanOrEqual(connectionsBefore)
    if (isPostgresRun()) {
      const result = (await database.db.execute(
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database()`,
      )) as unknown as { rows: { n: number }[] }
      // At most the pool (10) and the one listening connection.
      expect(Number(result.rows[0]?.n)).toBeLessThanOrEqual(11)
    }
  }, 120_000)
})
