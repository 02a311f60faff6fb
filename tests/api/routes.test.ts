// The public API's HTTP semantics, status code by status code: real Request objects into the mounted route
// handlers, on a real database.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import type { Database } from '../../src/server/db/client'
import { JSON_BODY_LIMIT_BYTES } from '../../src/server/http/body'
import { PEER_ADDRESS_HEADER } from '../../src/server/http/client-ip'
import { operation } from '../../src/server/operations/operation'
import { type ApiHarness, createApi, jsonRequest, userWithToken } from '../support/api'
import { contextDepsFor, createTestDatabase, personalWorkspace } from '../support/db'
import { makePro } from '../support/plans'

let database: Database
let api: ApiHarness
let alice: Awaited<ReturnType<typeof userWithToken>>

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
  alice = await userWithToken(database)
  // About HTTP semantics, not plans: Pro lifts Free's three-project limit (tests/api/plan-limits-api.test.ts covers it).
  await makePro(database, personalWorkspace(alice.userId))
})
afterAll(() => database.close())

async function createProject(name = 'Apollo', authorization = alice.authorization) {
  const response = await api.fetch('/api/v1/projects', jsonRequest('POST', { name }, authorization))
  expect(response.status).toBe(201)
  return (await response.json()) as { id: string; name: string; version: number }
}

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  expect(response.headers.get('x-request-id')).toBeTruthy()
  const body = await response.json()
  expect(body).toMatchObject({ status, code, requestId: response.headers.get('x-request-id') })
  expect(body.type).toMatch(/^https:\/\/twofold\.dev\/problems\//)
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  return body as { detail: string; errors?: Record<string, string[]>; requestId: string }
}

describe('success', () => {
  test('201: POST creates, with Location, ETag and the project', async () => {
    const response = await api.fetch(
      '/api/v1/projects',
      jsonRequest('POST', { name: ' Apollo ', description: 'Moon' }, alice.authorization),
    )
    expect(response.status).toBe(201)
    const project = await response.json()
    expect(project).toMatchObject({ name: 'Apollo', description: 'Moon', version: 1 })
    expect(response.headers.get('location')).toBe(`http://api.test/api/v1/projects/${project.id}`)
    expect(response.headers.get('etag')).toBe('"v1"')
    expect(response.headers.get('cache-control')).toBe('no-store, no-transform')
  })

  test('200: GET reads with ETag, private caching, a request id and rate-limit headers', async () => {
    const { id } = await createProject()
    const response = await api.fetch(`/api/v1/projects/${id}`, { headers: { Authorization: alice.authorization } })
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe('"v1"')
    expect(response.headers.get('cache-control')).toBe('private, no-cache, no-transform')
    expect(response.headers.get('vary')).toBe('Authorization')
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(Number(response.headers.get('ratelimit-limit'))).toBe(api.limits.api.points)
    expect(Number(response.headers.get('ratelimit-remaining'))).toBeLessThan(api.limits.api.points)
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect((await response.json()).id).toBe(id)
  })

  test('a well-formed incoming X-Request-Id is kept; a hostile one is replaced', async () => {
    const kept = await api.fetch('/api/v1/me', { headers: { Authorization: alice.authorization, 'X-Request-Id': 'proxy-req-12345' } })
    expect(kept.headers.get('x-request-id')).toBe('proxy-req-12345')
    const replaced = await api.fetch('/api/v1/me', { headers: { Authorization: alice.authorization, 'X-Request-Id': 'bad id\twith tab' } })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })

  test('200: GET /projects pages with a Link header and a next URL that lead to the rest', async () => {
    const owner = await userWithToken(database)
    for (const name of ['a', 'b', 'c']) await createProject(name, owner.authorization)
    const first = await api.fetch('/api/v1/projects?limit=2', { headers: { Authorization: owner.authorization } })
    const page = await first.json()
    expect(page.items.map((p: { name: string }) => p.name)).toEqual(['c', 'b'])
    expect(first.headers.get('link')).toBe(`<${page.next}>; rel="next"`)
    const second = await api.fetch(page.next, { headers: { Authorization: owner.authorization } })
    const rest = await second.json()
    expect(rest.items.map((p: { name: string }) => p.name)).toEqual(['a'])
    expect(rest.next).toBeNull()
    expect(second.headers.get('link')).toBeNull()
  })

  test('200: PATCH changes only what is sent and moves the ETag', async () => {
    const { id } = await createProject('Before')
    const response = await api.fetch(`/api/v1/projects/${id}`, jsonRequest('PATCH', { description: 'Added' }, alice.authorization))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ name: 'Before', description: 'Added', version: 2 })
    expect(response.headers.get('etag')).toBe('"v2"')
  })

  test('204: DELETE answers with no body; the project is gone', async () => {
    const { id } = await createProject()
    const response = await api.fetch(`/api/v1/projects/${id}`, { method: 'DELETE', headers: { Authorization: alice.authorization } })
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    const after = await api.fetch(`/api/v1/projects/${id}`, { headers: { Authorization: alice.authorization } })
    expect(after.status).toBe(404)
  })

  test('304: If-None-Match with the current ETag, and 200 again once it changes', async () => {
    const { id } = await createProject()
    const headers = { Authorization: alice.authorization, 'If-None-Match': '"v1"' }
    const unchanged = await api.fetch(`/api/v1/projects/${id}`, { headers })
    expect(unchanged.status).toBe(304)
    expect(unchanged.headers.get('etag')).toBe('"v1"')
    expect(await unchanged.text()).toBe('')
    await api.fetch(`/api/v1/projects/${id}`, jsonRequest('PATCH', { name: 'Changed' }, alice.authorization))
    expect((await api.fetch(`/api/v1/projects/${id}`, { headers })).status).toBe(200)
  })

  test('OPTIONS lists the methods a path allows', async () => {
    const response = await api.fetch('/api/v1/projects', { method: 'OPTIONS' })
    expect(response.status).toBe(204)
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS, HEAD')
  })
})

describe('the output schema', () => {
  const leaky = (output: z.ZodType) =>
    operation({
      name: 'test.leaky',
      summary: 'Returns more than it declares',
      tag: 'Test',
      input: z.object({}),
      output,
      scope: null,
      role: null,
      http: { method: 'GET', path: '/api/v1/leaky', status: 200 },
      run: async () => ({ id: 'p1', ownerPasswordHash: 'x', items: [{ id: 'i1', token: 't' }] }),
    })

  test('fields it does not name, at any depth, never leave the server', async () => {
    const output = z.object({ id: z.string(), items: z.array(z.object({ id: z.string() })) })
    const response = await createApi(database, { ops: [leaky(output)] }).fetch('/api/v1/leaky', {
      headers: { authorization: alice.authorization },
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('{"id":"p1","items":[{"id":"i1"}]}')
  })

  test('a value it does not fit is a 500 problem, and nothing of the value is sent', async () => {
    const output = z.object({ id: z.number() })
    const response = await createApi(database, { ops: [leaky(output)] }).fetch('/api/v1/leaky', {
      headers: { authorization: alice.authorization },
    })
    const body = await expectProblem(response, 500, 'INTERNAL')
    expect(JSON.stringify(body)).not.toMatch(/p1|ownerPasswordHash/)
  })
})

describe('CORS: any origin, bearer tokens only', () => {
  const EXPOSED = 'ETag, Location, Link, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id'

  test('a preflight answers with the methods, the headers a script may send, and a max-age', async () => {
    const response = await api.fetch('/api/v1/projects/00000000-0000-4000-8000-000000000000', {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'PATCH' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, PATCH, DELETE, OPTIONS, HEAD')
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, If-Match, If-None-Match, Last-Event-ID, X-Request-Id',
    )
    expect(response.headers.get('access-control-max-age')).toBe('600')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  test('every answer, success or problem, lets any origin read it and the headers clients need', async () => {
    const origin = { Origin: 'https://elsewhere.example' }
    const answers = [
      await api.fetch('/api/v1/projects', jsonRequest('POST', { name: 'Cors' }, alice.authorization, origin)),
      await api.fetch('/api/v1/projects', { headers: { ...origin, Authorization: alice.authorization } }),
      await api.fetch('/api/v1/me', { headers: origin }),
      await api.fetch('/api/v1/projects', jsonRequest('PUT', {}, alice.authorization, origin)),
      await api.fetch('/api/v1/projects', jsonRequest('POST', { name: '' }, alice.authorization, origin)),
    ]
    expect(answers.map((r) => r.status)).toEqual([201, 200, 401, 405, 422])
    for (const response of answers) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-expose-headers')).toBe(EXPOSED)
    }
  })
})

describe('links are built on APP_URL, not the request’s Host', () => {
  test('Location, Link and next use the configured origin when the request names another host', async () => {
    const owner = await userWithToken(database)
    for (const name of ['one', 'two']) await createProject(name, owner.authorization)
    const created = await api.fetch('http://spoofed.example/api/v1/projects', jsonRequest('POST', { name: 'three' }, owner.authorization))
    expect(created.headers.get('location')).toMatch(/^http:\/\/api\.test\/api\/v1\/projects\/[0-9a-f-]{36}$/)
    const page = await api.fetch('http://spoofed.example/api/v1/projects?limit=2', { headers: { Authorization: owner.authorization } })
    const body = await page.json()
    expect(body.next).toMatch(/^http:\/\/api\.test\/api\/v1\/projects\?limit=2&cursor=/)
    expect(page.headers.get('link')).toBe(`<${body.next}>; rel="next"`)
  })

  test('a mounted harness given another appUrl builds on it', async () => {
    const appUrl = 'https://app.example'
    const limits = api.limits
    const mounted = createApi(database, { deps: { runtime: async () => ({ context: { ...contextDepsFor(database), appUrl }, limits }) } })
    const created = await mounted.fetch('/api/v1/projects', jsonRequest('POST', { name: 'elsewhere' }, alice.authorization))
    expect(created.headers.get('location')).toBe(`${appUrl}/api/v1/projects/${(await created.json()).id}`)
  })
})

describe('HEAD', () => {
  test('HEAD answers like GET, without the body, on the list and on one project', async () => {
    const { id } = await createProject('Headed')
    for (const path of ['/api/v1/projects', `/api/v1/projects/${id}`]) {
      const get = await api.fetch(path, { headers: { Authorization: alice.authorization } })
      const head = await api.fetch(path, { method: 'HEAD', headers: { Authorization: alice.authorization } })
      expect(head.status).toBe(200)
      expect(await head.text()).toBe('')
      for (const name of ['content-type', 'etag', 'cache-control', 'access-control-allow-origin', 'ratelimit-limit']) {
        expect(head.headers.get(name), name).toBe(get.headers.get(name))
      }
    }
  })
})

describe('access log', () => {
  test('one line per request with its id, route, method, status and duration, whatever the outcome', async () => {
    const logged = createApi(database, { deps: {} })
    const ok = await logged.fetch('/api/v1/projects', jsonRequest('POST', { name: 'Logged' }, alice.authorization))
    const refused = await logged.fetch('/api/v1/me')
    const wrongMethod = await logged.fetch('/api/v1/me', { method: 'DELETE' })
    const preflight = await logged.fetch('/api/v1/me', { method: 'OPTIONS' })
    const lines = logged.logs.filter((line) => line.message === 'request')
    expect(lines.map((line) => ({ level: line.level, ...line.fields, durationMs: typeof line.fields.durationMs }))).toEqual([
      {
        level: 'info',
        requestId: ok.headers.get('x-request-id'),
        route: 'projects.create',
        method: 'POST',
        status: 201,
        durationMs: 'number',
      },
      { level: 'info', requestId: refused.headers.get('x-request-id'), route: 'me.get', method: 'GET', status: 401, durationMs: 'number' },
      {
        level: 'info',
        requestId: wrongMethod.headers.get('x-request-id'),
        route: '/api/v1/me',
        method: 'DELETE',
        status: 405,
        durationMs: 'number',
      },
      {
        level: 'info',
        requestId: preflight.headers.get('x-request-id'),
        route: '/api/v1/me',
        method: 'OPTIONS',
        status: 204,
        durationMs: 'number',
      },
    ])
  })
})

describe('client errors', () => {
  test('400: malformed JSON, and JSON that is not an object', async () => {
    const malformed = await api.fetch('/api/v1/projects', { ...jsonRequest('POST', undefined, alice.authorization), body: '{"name": ' })
    expect((await expectProblem(malformed, 400, 'BAD_REQUEST')).detail).toBe('The body is not valid JSON.')
    const array = await api.fetch('/api/v1/projects', jsonRequest('POST', ['name'], alice.authorization))
    expect((await expectProblem(array, 400, 'BAD_REQUEST')).detail).toBe('The body must be a JSON object.')
  })

  test('401: no token, an unknown token, a cookie instead of a token — each with WWW-Authenticate: Bearer', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer tf_not-a-real-token' },
      { Authorization: 'Basic dXNlcjpwYXNz' },
      { Cookie: 'better-auth.session_token=abc' },
    ]
    for (const headers of attempts) {
      const response = await api.fetch('/api/v1/projects', { headers })
      await expectProblem(response, 401, 'UNAUTHENTICATED')
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="twofold"')
    }
  })

  test('403: a token without the scope the operation needs', async () => {
    const reader = await userWithToken(database, ['projects:read'])
    const response = await api.fetch('/api/v1/projects', jsonRequest('POST', { name: 'x' }, reader.authorization))
    expect((await expectProblem(response, 403, 'FORBIDDEN')).detail).toBe('This token lacks the projects:write scope.')
  })

  test('404: another user’s project, exactly like one that does not exist', async () => {
    const { id } = await createProject('Secret')
    const mallory = await userWithToken(database)
    const theirs = await expectProblem(
      await api.fetch(`/api/v1/projects/${id}`, { headers: { Authorization: mallory.authorization } }),
      404,
      'NOT_FOUND',
    )
    const missing = await expectProblem(
      await api.fetch('/api/v1/projects/00000000-0000-4000-8000-000000000000', { headers: { Authorization: mallory.authorization } }),
      404,
      'NOT_FOUND',
    )
    expect(theirs.detail).toBe(missing.detail)
  })

  test('405: a method the path does not serve, with Allow', async () => {
    const response = await api.fetch('/api/v1/projects', jsonRequest('PUT', { name: 'x' }, alice.authorization))
    await expectProblem(response, 405, 'METHOD_NOT_ALLOWED')
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS, HEAD')
    // Counted against the caller's address, so it carries the limit headers the document promises.
    expect(Number(response.headers.get('ratelimit-limit'))).toBe(api.limits.anonymous.points)
    expect(Number(response.headers.get('ratelimit-remaining'))).toBeLessThan(api.limits.anonymous.points)
  })

  test('412: If-Match with a stale or weak ETag writes nothing', async () => {
    const { id } = await createProject('Original')
    await api.fetch(`/api/v1/projects/${id}`, jsonRequest('PATCH', { name: 'Second' }, alice.authorization))
    for (const ifMatch of ['"v1"', 'W/"v2"', '"something-else"']) {
      const response = await api.fetch(
        `/api/v1/projects/${id}`,
        jsonRequest('PATCH', { name: 'Lost' }, alice.authorization, { 'If-Match': ifMatch }),
      )
      await expectProblem(response, 412, 'PRECONDITION_FAILED')
    }
    const stale = await api.fetch(`/api/v1/projects/${id}`, {
      method: 'DELETE',
      headers: { Authorization: alice.authorization, 'If-Match': '"v1"' },
    })
    await expectProblem(stale, 412, 'PRECONDITION_FAILED')
    const current = await api.fetch(`/api/v1/projects/${id}`, { headers: { Authorization: alice.authorization } })
    expect(await current.json()).toMatchObject({ name: 'Second', version: 2 })
    // The current ETag (or *) lets the write through.
    const fresh = await api.fetch(
      `/api/v1/projects/${id}`,
      jsonRequest('PATCH', { name: 'Third' }, alice.authorization, { 'If-Match': '"v2"' }),
    )
    expect(fresh.status).toBe(200)
  })

  test('412: If-Match versions the version column cannot hold (10 digits, beyond int4) can never match', async () => {
    const { id } = await createProject('Bounded')
    for (const ifMatch of ['"v2147483648"', '"v9999999999"']) {
      const patch = await api.fetch(
        `/api/v1/projects/${id}`,
        jsonRequest('PATCH', { name: 'x' }, alice.authorization, { 'If-Match': ifMatch }),
      )
      await expectProblem(patch, 412, 'PRECONDITION_FAILED')
      const remove = await api.fetch(`/api/v1/projects/${id}`, {
        method: 'DELETE',
        headers: { Authorization: alice.authorization, 'If-Match': ifMatch },
      })
      await expectProblem(remove, 412, 'PRECONDITION_FAILED')
    }
    // The largest version the column holds is read as a version: a stale one, so still 412, not a 500.
    const largest = await api.fetch(
      `/api/v1/projects/${id}`,
      jsonRequest('PATCH', { name: 'x' }, alice.authorization, { 'If-Match': '"v2147483647"' }),
    )
    await expectProblem(largest, 412, 'PRECONDITION_FAILED')
  })

  test('413: a body declared too large is refused before reading', async () => {
    const response = await api.fetch('/api/v1/projects', {
      ...jsonRequest('POST', undefined, alice.authorization, { 'Content-Length': String(JSON_BODY_LIMIT_BYTES + 1) }),
      body: '{}',
    })
    await expectProblem(response, 413, 'TOO_LARGE')
  })

  test('413: an undeclared streamed body is cut off while reading, not buffered to the end', async () => {
    let pulled = 0
    const chunk = new TextEncoder().encode(`"${'x'.repeat(16 * 1024 - 2)}"`)
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(chunk)
      },
    })
    const response = await api.fetch('/api/v1/projects', {
      method: 'POST',
      headers: { Authorization: alice.authorization, 'Content-Type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit)
    await expectProblem(response, 413, 'TOO_LARGE')
    // 64 KiB is four 16 KiB chunks; the reader stopped at the fifth instead of draining an endless body.
    expect(pulled).toBeLessThanOrEqual(7)
  })

  test('415: a body that is not JSON', async () => {
    const response = await api.fetch('/api/v1/projects', {
      method: 'POST',
      headers: { Authorization: alice.authorization, 'Content-Type': 'text/plain' },
      body: 'name=x',
    })
    await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })

  test('422: validation, with an error per field, and nothing created', async () => {
    const owner = await userWithToken(database)
    const response = await api.fetch(
      '/api/v1/projects',
      jsonRequest('POST', { name: '  ', description: 'd'.repeat(2001) }, owner.authorization),
    )
    const problem = await expectProblem(response, 422, 'VALIDATION')
    expect(problem.errors).toEqual({ name: ['Name is required.'], description: ['Description must be at most 2000 characters.'] })
    const list = await api.fetch('/api/v1/projects', { headers: { Authorization: owner.authorization } })
    expect((await list.json()).items).toEqual([])
  })

  test('422: NUL in a description, and a cursor dated year 0 — the whole problem, not a 500', async () => {
    const nul = await api.fetch('/api/v1/projects', jsonRequest('POST', { name: 'N', description: 'a\u0000b' }, alice.authorization))
    const problem = await expectProblem(nul, 422, 'VALIDATION')
    expect(problem).toEqual({
      type: 'https://twofold.dev/problems/validation',
      title: 'Validation failed',
      status: 422,
      detail: expect.any(String),
      code: 'VALIDATION',
      requestId: nul.headers.get('x-request-id'),
      errors: { description: ['Description must not contain control characters.'] },
    })
    const yearZero = Buffer.from('0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000').toString('base64url')
    const page = await api.fetch(`/api/v1/projects?cursor=${yearZero}`, { headers: { Authorization: alice.authorization } })
    expect((await expectProblem(page, 422, 'VALIDATION')).errors).toEqual({ cursor: ['The cursor is not valid.'] })
  })

  test('422: a bad query parameter', async () => {
    const response = await api.fetch('/api/v1/projects?limit=1000', { headers: { Authorization: alice.authorization } })
    expect((await expectProblem(response, 422, 'VALIDATION')).errors).toHaveProperty('limit')
  })

  test('429: per token, with Retry-After and the limit headers; another token is unaffected', async () => {
    const limited = createApi(database, { apiPoints: 3 })
    const [one, two] = [await userWithToken(database), await userWithToken(database)]
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await limited.fetch('/api/v1/me', { headers: { Authorization: one.authorization } })).status)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    const response = await limited.fetch('/api/v1/me', { headers: { Authorization: one.authorization } })
    await expectProblem(response, 429, 'RATE_LIMITED')
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(response.headers.get('ratelimit-remaining')).toBe('0')
    expect((await limited.fetch('/api/v1/me', { headers: { Authorization: two.authorization } })).status).toBe(200)
  })

  test('429: per client IP without a valid token', async () => {
    const limited = createApi(database, { anonymousPoints: 2 })
    // The connection's address, as server.js records it (a client's own X-Forwarded-For is not believed).
    const from = (ip: string) => limited.fetch('/api/v1/me', { headers: { [PEER_ADDRESS_HEADER]: ip } })
    expect([(await from('203.0.113.1')).status, (await from('203.0.113.1')).status, (await from('203.0.113.1')).status]).toEqual([
      401, 401, 429,
    ])
    expect((await from('203.0.113.2')).status).toBe(401)
  })
})

describe('server errors', () => {
  test('500: no internals in the body, and the request id leads to the logged cause', async () => {
    const broken = await createTestDatabase()
    try {
      // Mounted with injected deps, so the handler logs to the harness's captured logger.
      const harness = createApi(broken, { deps: {} })
      const owner = await userWithToken(broken)
      // CASCADE: files (migration 0004) refer to projects.
      await broken.db.execute('DROP TABLE projects CASCADE')
      const response = await harness.fetch('/api/v1/projects', { headers: { Authorization: owner.authorization } })
      const problem = await expectProblem(response, 500, 'INTERNAL')
      expect(problem.detail).toBe('Something went wrong on our side.')
      expect(JSON.stringify(problem)).not.toMatch(/projects|relation|select|stack/i)
      const logged = harness.logs.find((line) => line.level === 'error')
      expect(logged?.fields.requestId).toBe(problem.requestId)
      expect(String((logged?.fields.error as Error | undefined)?.message ?? logged?.fields.error)).toMatch(/projects/)
    } finally {
      await broken.close()
    }
  })

  test('503: the database is unreachable — Retry-After, not a 500', async () => {
    const gone = await createTestDatabase()
    const harness = createApi(gone)
    const owner = await userWithToken(gone)
    await gone.close()
    const response = await harness.fetch('/api/v1/projects', { headers: { Authorization: owner.authorization } })
    await expectProblem(response, 503, 'UNAVAILABLE')
    expect(response.headers.get('retry-after')).toBe('5')
  })
})
