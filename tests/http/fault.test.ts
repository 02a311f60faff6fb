// The server survives its database: refused connections in the middle of a mixed API load answer 503 with
// Retry-After (never 500), every acknowledged create is still there afterwards, requests after recovery succeed
// without a restart, and no session token, token hash or e-mail address reaches the server's output. A database
// that is down when the server starts costs 503s until it is back, not a restart. Meanwhile a page that needs the
// database answers 503 with Retry-After, and the header, whose session cannot be looked up, shows neither signed in
// nor signed out. The outage under load is PostgreSQL only: refusing connections takes ALTER DATABASE …
// ALLOW_CONNECTIONS, which PGlite has no equivalent of; a database at an address nothing listens on is every run's.
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db/client'
import { projects, session, user } from '../../src/server/db/schema'
import * as tokens from '../../src/server/services/tokens'
import { createPersonal } from '../../src/server/services/workspaces'
import { contextFor, sessionActor } from '../support/db'
import { makePro } from '../support/plans'
import { adminPool, isPostgresRun } from '../support/postgres'
import { type RunningServer, startServer, throwawayPostgres } from '../support/server'

/** startServer's BETTER_AUTH_SECRET: the test signs a session cookie with it, as Better Auth would. */
const AUTH_SECRET = 'http-suite-secret-http-suite-secret-0123456789'
const OUTAGE_AT_MS = 3_000
const OUTAGE_MS = 4_000
// The load goes on this long after the database is back, however fast the machine: it ends on the recovery, not
// on a clock started before the outage.
const LOAD_AFTER_RECOVERY_MS = 3_000
const WORKERS = 4
// Each worker spreads its requests over its own tokens, each kept under the API's 600 requests per token per
// minute, so no answer is a 429 and a fast machine does not run out of budget before the recovery.
const TOKENS_PER_WORKER = 3
const MAX_REQUESTS_PER_TOKEN = 500

const databaseName = (url: string) => new URL(url).pathname.slice(1)

/** Refuses (or allows again) new connections to `name` and ends the ones it has, as an outage would. */
async function setConnections(name: string, allow: boolean): Promise<void> {
  const admin = adminPool()
  try {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow}`)
    if (!allow) {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name])
    }
  } finally {
    await admin.end()
  }
}

/** Better Auth's session cookie: the token, a dot and its HMAC-SHA256 under the auth secret, URL-encoded. */
function sessionCookie(token: string): string {
  const signature = createHmac('sha256', AUTH_SECRET).update(token).digest('base64')
  return `better-auth.session_token=${encodeURIComponent(`${token}.${signature}`)}`
}

type Person = { email: string; sessionToken: string; bearerTokens: string[] }

/** A user with a session and `count` API tokens, written straight into the server's database. */
async function createPerson(database: Database, count: number): Promise<Person> {
  const userId = randomUUID()
  const email = `fault-${userId}@example.test`
  const sessionToken = randomUUID().replaceAll('-', '')
  await database.db.insert(user).values({ id: userId, name: 'Fault Test', email })
  await database.db.insert(session).values({ id: randomUUID(), userId, token: sessionToken, expiresAt: new Date(Date.now() + 3_600_000) })
  // The personal workspace sign-up gives everyone: the tokens are made in it.
  const { slug } = await createPersonal(database.db, { id: userId, name: 'Fault Test' })
  // Pro: the load creates far more than Free's three projects.
  await makePro(database, slug)
  const bearerTokens: string[] = []
  for (let i = 0; i < count; i++) {
    const { token } = await tokens.create(contextFor(database, sessionActor(userId), undefined, slug), {
      name: `load ${i}`,
      scopes: ['projects:read', 'projects:write'],
    })
    bearerTokens.push(token)
  }
  return { email, sessionToken, bearerTokens }
}

/** What must never be printed: the e-mail, the session token, every API token and the hash stored for it. */
function secretsOf(person: Person): string[] {
  const hashes = person.bearerTokens.map((token) => createHash('sha256').update(token).digest('hex'))
  return [person.email, person.sessionToken, ...person.bearerTokens, ...hashes]
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const isReady = (server: RunningServer) => async () => (await fetch(`${server.url}/api/health/ready`)).status === 200

type Answer = { request: string; status: number; retryAfter: string | null; contentType: string | null; body: string }

async function call(server: RunningServer, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {
    request: `${method} ${path}`,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  }
}

const idOf = (answer: Answer): string | null => {
  const parsed: unknown = JSON.parse(answer.body)
  const id = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'id') : undefined
  return typeof id === 'string' ? id : null
}

/** One client: list, create, change and read its projects in a loop until it is told to stop or its budget runs out. */
async function loadLoop(
  server: RunningServer,
  tokens: string[],
  worker: number,
  stop: { at: number },
  answers: Answer[],
  created: string[],
) {
  let mine: string | null = null
  let sent = 0
  const send = async (method: string, path: string, body?: unknown) => {
    const answer = await call(server, tokens[sent % tokens.length] ?? '', method, path, body)
    answers.push(answer)
    sent++
    // A client backs off on 503 (shorter than Retry-After, to keep the test short), so the load spans the outage
    // and the recovery instead of spending its budget on fast refusals.
    if (answer.status === 503) await new Promise((resolve) => setTimeout(resolve, 100))
    return answer
  }
  while (Date.now() < stop.at && sent < MAX_REQUESTS_PER_TOKEN * tokens.length) {
    await send('GET', '/api/v1/projects?limit=5')
    const create = await send('POST', '/api/v1/projects', { name: `load ${worker}-${sent}` })
    if (create.status === 201) {
      mine = idOf(create)
      if (mine) created.push(mine)
    }
    if (!mine) continue
    await send('PATCH', `/api/v1/projects/${mine}`, { description: `changed after ${sent}` })
    await send('GET', `/api/v1/projects/${mine}`)
  }
}

/** The outage page: 503 with Retry-After (not a 200 a cache or a crawler would keep), in server-rendered HTML. */
function expectUnavailablePage(response: Response, html: string, retryHref: string) {
  expect(response.status).toBe(503)
  expect(response.headers.get('retry-after')).toBe('5')
  expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  expect(html).toContain('<h1>Temporarily unavailable</h1>')
  expect(html).toContain(`<a href="${retryHref}" class="button">Try again</a>`)
  expect(html).toContain('<meta name="robots" content="noindex"/>')
}

/** The header while the session cannot be looked up: neither the signed-in menu nor "Sign in" (which would say signed out). */
function expectHeaderWithoutState(html: string, email?: string) {
  const header = /<header\b[^>]*>[\s\S]*?<\/header>/.exec(html)?.[0] ?? ''
  expect(header).toContain('>API docs</a>')
  expect(header).not.toContain('>Sign in</a>')
  expect(header).not.toContain('>Sign out</button>')
  if (email) expect(html).not.toContain(email)
}

describe.skipIf(!isPostgresRun())('a database outage (PostgreSQL only: set DATABASE_URL=postgres://… to run)', () => {
  let server: RunningServer
  let database: Database
  let person: Person

  beforeAll(async () => {
    server = await startServer()
    await waitUntil(isReady(server), 30_000)
    database = await openDatabase({ kind: 'postgres', url: server.databaseUrl })
    person = await createPerson(database, WORKERS * TOKENS_PER_WORKER)
  })

  afterAll(async () => {
    await database?.close()
    await server?.stop()
  })

  it('answers 2xx or 503 with Retry-After under load, loses no acknowledged write and recovers without restart', async () => {
    // The session cookie is the one Better Auth accepts: the page shows who is signed in.
    const signedIn = await fetch(`${server.url}/`, { headers: { Cookie: sessionCookie(person.sessionToken) } })
    expect(await signedIn.text()).toContain(person.email)

    const answers: Answer[] = []
    const created: string[] = []
    // Until the recovery sets the real end, a bound that only a hung load would reach.
    const stop = { at: Date.now() + 60_000 }
    const workers = Array.from({ length: WORKERS }, (_, worker) =>
      person.bearerTokens.slice(worker * TOKENS_PER_WORKER, (worker + 1) * TOKENS_PER_WORKER),
    )
    const load = Promise.all(workers.map((tokens, worker) => loadLoop(server, tokens, worker, stop, answers, created)))

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_AT_MS))
    const name = databaseName(server.databaseUrl)
    await setConnections(name, false)
    // Pages during the outage, with the session cookie: its token goes into the session lookup that fails.
    const home = await fetch(`${server.url}/`, { headers: { Cookie: sessionCookie(person.sessionToken) } })
    const dashboard = await fetch(`${server.url}/dashboard`, { headers: { Cookie: sessionCookie(person.sessionToken) } })
    const ready = await fetch(`${server.url}/api/health/ready`)
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS))
    await setConnections(name, true)
    const recoveredAt = Date.now()
    stop.at = recoveredAt + LOAD_AFTER_RECOVERY_MS
    await load
    const loadAfterRecoveryMs = Date.now() - recoveredAt

    // The header shows neither state instead of failing every page (or saying "Sign in" to someone signed in); a page
    // that needs the database says it is temporarily unavailable in plain server-rendered HTML (so without JavaScript
    // too), with a way to try again, and answers 503 with Retry-After.
    expect(home.status).toBe(200)
    expectHeaderWithoutState(await home.text(), person.email)
    const dashboardHtml = await dashboard.text()
    expectUnavailablePage(dashboard, dashboardHtml, '/dashboard')
    expectHeaderWithoutState(dashboardHtml, person.email)
    expect(ready.status).toBe(503)

    const count = (predicate: (a: Answer) => boolean) => answers.filter(predicate).length
    const figures = {
      requests: answers.length,
      '2xx': count((a) => a.status >= 200 && a.status < 300),
      '503': count((a) => a.status === 503),
      '500': count((a) => a.status === 500),
      other: count((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503),
      creates: created.length,
      rowsLost: 0,
      loadAfterRecoveryMs,
    }
    const rows = await database.db.select({ id: projects.id }).from(projects)
    const stored = new Set(rows.map((row) => row.id))
    figures.rowsLost = created.filter((id) => !stored.has(id)).length
    console.log('fault test figures', JSON.stringify(figures))

    // Every answer but a 2xx or a 503, whole, so a failure says which request it was and what came back.
    expect(answers.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503)).toEqual([])
    expect(figures['503']).toBeGreaterThan(0)
    expect(figures.rowsLost).toBe(0)
    // The load went on past the recovery, and succeeded there.
    expect(loadAfterRecoveryMs).toBeGreaterThan(2_000)
    expect(answers.slice(-WORKERS * 4).every((a) => a.status >= 200 && a.status < 300)).toBe(true)
    for (const answer of answers.filter((a) => a.status === 503)) {
      expect(answer.retryAfter).toBe('5')
      expect(answer.contentType).toBe('application/problem+json')
      expect(JSON.parse(answer.body)).toMatchObject({ status: 503, code: 'UNAVAILABLE', title: 'Service unavailable' })
    }

    // After recovery, every request works, with no restart.
    const [token = ''] = person.bearerTokens
    for (let i = 0; i < 10; i++) expect((await call(server, token, 'GET', '/api/v1/projects?limit=1')).status).toBe(200)
    expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(200)

    // The failed queries were logged (so the check below means something), with their SQL but not their values.
    const output = server.output()
    expect(output).toContain('Failed query: ')
    for (const secret of secretsOf(person)) expect(output).not.toContain(secret)
  })
})

describe.skipIf(!isPostgresRun())('a database down at start (PostgreSQL only: set DATABASE_URL=postgres://… to run)', () => {
  let server: RunningServer
  let target: { url: string; drop(): Promise<void> }

  beforeAll(async () => {
    target = await throwawayPostgres()
    await setConnections(databaseName(target.url), false)
    server = await startServer({ env: { DATABASE_URL: target.url } })
  })

  afterAll(async () => {
    await server?.stop()
    await target?.drop()
  })

  it('is live but not ready, answers 503 (pages keep answering), and serves once the database is back, without restart', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    const ready = await fetch(`${server.url}/api/health/ready`)
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).toBe('5')
    const api = await fetch(`${server.url}/api/v1/projects`, { headers: { Authorization: 'Bearer tf_not-a-real-token' } })
    expect(api.status).toBe(503)
    expect(api.headers.get('content-type')).toBe('application/problem+json')
    expect(api.headers.get('retry-after')).toBe('5')
    expect((await fetch(`${server.url}/`)).status).toBe(200)
    const dashboard = await fetch(`${server.url}/dashboard/settings/tokens`)
    expectUnavailablePage(dashboard, await dashboard.text(), '/dashboard/settings/tokens')
    expect(server.output()).toContain('database not reachable at start: retrying')

    const allowedAt = Date.now()
    await setConnections(databaseName(target.url), true)
    await waitUntil(isReady(server), 15_000)
    console.log('down-at-start recovery', JSON.stringify({ readyAfterMs: Date.now() - allowedAt }))

    const database = await openDatabase({ kind: 'postgres', url: target.url })
    try {
      const person = await createPerson(database, 1)
      const [token = ''] = person.bearerTokens
      expect((await call(server, token, 'GET', '/api/v1/projects')).status).toBe(200)
      expect((await call(server, token, 'POST', '/api/v1/projects', { name: 'after the outage' })).status).toBe(201)
    } finally {
      await database.close()
    }
  })
})

describe('a database at an address nothing listens on (every run)', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' } })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it.each(['/dashboard', '/w/anything', '/settings/account'])('%s answers 503 with Retry-After and the outage page', async (path) => {
    const response = await fetch(`${server.url}${path}`)
    const html = await response.text()
    expectUnavailablePage(response, html, path)
    expectHeaderWithoutState(html)
  })

  it('a page that needs no database still answers 200, its header in neither state', async () => {
    const response = await fetch(`${server.url}/docs/api`)
    expect(response.status).toBe(200)
    expect(response.headers.get('retry-after')).toBeNull()
    expectHeaderWithoutState(await response.text())
  })
})
