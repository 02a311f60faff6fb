// Property-based: random and hostile methods, ids, headers and bodies at every public endpoint. No answer is
// ever a 5xx, every answer is one the OpenAPI document declares, every error is problem+json, and a rejected
// request writes nothing.
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { buildOpenApiDocument } from '../../src/server/operations/openapi'
import { pathMatcher } from '../../src/server/operations/to-route'
import { type ApiHarness, createApi, routeFiles, userWithToken } from '../support/api'
import { createTestDatabase, domainRows } from '../support/db'

let database: Database
let api: ApiHarness
let owner: Awaited<ReturnType<typeof userWithToken>>
let reader: Awaited<ReturnType<typeof userWithToken>>
let stranger: Awaited<ReturnType<typeof userWithToken>>
let ownedId: string
let sent = 0
const document = buildOpenApiDocument()
const templates = [...routeFiles().keys()].map((template) => ({ template, match: pathMatcher(template) }))
const statuses = new Map<number, number>()

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
  owner = await userWithToken(database)
  reader = await userWithToken(database, ['projects:read'])
  stranger = await userWithToken(database)
  const created = await api.fetch('/api/v1/projects', {
    method: 'POST',
    headers: { Authorization: owner.authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Target' }),
  })
  ownedId = (await created.json()).id
})
afterAll(async () => {
  console.log(`fuzz: sent ${sent} requests; statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
  await database.close()
})

const snapshot = () => domainRows(database)

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', "' OR 1=1 --", '%00', '%E0%A4%A', '<script>', '🚀'.repeat(101), 'x'.repeat(5000)),
)

const id = fc.oneof(
  fc.constant(() => ownedId),
  fc.uuid().map((u) => () => u),
  hostileString.map((s) => () => s),
)

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const body = fc.oneof(
  fc.constant(undefined),
  // Well-formed and nearly well-formed changes, so some requests are accepted and write.
  fc.record({ name: fc.string({ minLength: 1, maxLength: 101 }), description: fc.string({ maxLength: 50 }) }).map((v) => JSON.stringify(v)),
  jsonValue.map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        name: fc.oneof(hostileString, jsonValue),
        description: fc.oneof(hostileString, jsonValue),
        expectedVersion: jsonValue,
        id: jsonValue,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  hostileString,
  fc.uint8Array({ maxLength: 64 }),
  fc.constant('{"name": "x"'),
)

const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(() => owner.authorization) },
  { weight: 1, arbitrary: fc.constant(() => reader.authorization) },
  { weight: 2, arbitrary: fc.constant(() => stranger.authorization) },
  { weight: 1, arbitrary: fc.constant(() => undefined) },
  { weight: 1, arbitrary: hostileString.map((s) => () => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.constant(() => `Bearer ${owner.token}x`) },
)

const headerValue = fc.oneof(
  hostileString.filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)),
  fc.constantFrom('"v1"', 'W/"v1"', '*', '"v999999999999"'),
)

// Mostly the methods each path serves, so requests get past routing into parsing, auth and the services.
const request = fc.constantFrom(...routeFiles()).chain(([template, ops]) =>
  fc.record({
    template: fc.constant(template),
    method: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ops.map((op) => op.http?.method ?? 'GET')) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
    ),
    id,
    query: fc.dictionary(fc.constantFrom('limit', 'cursor', 'x', 'id'), hostileString, { maxKeys: 3 }),
    body,
    contentType: fc.oneof(fc.constant('application/json'), fc.constant(undefined), headerValue),
    authorization,
    ifMatch: fc.option(headerValue, { nil: undefined }),
    ifNoneMatch: fc.option(headerValue, { nil: undefined }),
  }),
)

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return 'lone-surrogate'
  }
}

test('no input makes the API answer with a 5xx or write on a rejected request', async () => {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const path = r.template.replace(/\{\w+\}/g, () => encodeSegment(r.id()))
      const url = new URL(path, 'http://api.test')
      for (const [key, value] of Object.entries(r.query)) url.searchParams.set(key, value)
      const headers = new Headers()
      const auth = r.authorization()
      if (auth && /^[\t\x20-\x7e\x80-\xff]*$/.test(auth)) headers.set('Authorization', auth)
      if (r.contentType !== undefined) headers.set('Content-Type', r.contentType)
      if (r.ifMatch !== undefined) headers.set('If-Match', r.ifMatch)
      if (r.ifNoneMatch !== undefined) headers.set('If-None-Match', r.ifNoneMatch)
      const withBody = r.body !== undefined && r.method !== 'GET'

      const before = await snapshot()
      const response = await api.fetch(`${url.pathname}${url.search}`, { method: r.method, headers, body: withBody ? r.body : undefined })
      sent++
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      expect(response.status, `${r.method} ${url}`).toBeLessThan(500)
      // Whatever it answers, the published contract said it might.
      // (An id such as "." or ".." normalises the URL onto another path, so look up the path that was served.)
      const served = templates.find(({ match }) => match(url.pathname))?.template
      const declared = served ? (document.paths[served] as Record<string, { responses: object }>)[r.method.toLowerCase()] : undefined
      if (declared) expect(Object.keys(declared.responses), `${r.method} ${url.pathname}`).toContain(String(response.status))
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        expect(await snapshot()).toEqual(before)
      }
    }),
    { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
  )
  expect(sent).toBe(1500)
}, 180_000)
