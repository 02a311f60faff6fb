// Property-based: random and hostile methods, ids, headers, cursors, versions and bodies at every public endpoint,
// through the real route modules. No answer is ever a 5xx, every answer is one the OpenAPI document declares, every
// error is problem+json, a rejected request writes nothing, and the answers are spread over the statuses the API
// has (a generator that regresses to all-401 fails). Live projects are kept in supply throughout the run, so
// 200/304/412 on a live object keep being reached after the first DELETE.
// FUZZ_RUNS (default 2000; CI runs 10,000) and FUZZ_SEED (printed on every run) reproduce a run.
import { eq } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { projects as projectRows } from '../../src/server/db/schema'
import { JSON_BODY_LIMIT_BYTES } from '../../src/server/http/body'
import * as projects from '../../src/server/services/projects'
import { pathMatcher } from '../../src/server/transports/api-call'
import { buildOpenApiDocument } from '../../src/server/transports/openapi'
import { type ApiHarness, createApi, routeFiles, userWithToken } from '../support/api'
import { contextFor, createTestDatabase, domainRows, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
/** Each of these must be answered at least this often, or the generator no longer reaches that part of the API. */
const EXPECTED_STATUSES = [200, 201, 204, 304, 400, 401, 403, 404, 405, 412, 413, 415, 422]
const MIN_PER_STATUS = 3
/** Owned projects kept alive, so requests at a live object stay common. */
const LIVE_SUPPLY = 5

let database: Database
let api: ApiHarness
let owner: Awaited<ReturnType<typeof userWithToken>>
let reader: Awaited<ReturnType<typeof userWithToken>>
let stranger: Awaited<ReturnType<typeof userWithToken>>
let strangersProject: string
const live: string[] = []
let sent = 0
const document = buildOpenApiDocument()
const templates = [...routeFiles().keys()].map((template) => ({ template, match: pathMatcher(template) }))
const statuses = new Map<number, number>()
// The database as the last rejected request left it: consecutive rejections need no fresh "before" snapshot.
let unchangedSince: Awaited<ReturnType<typeof domainRows>> | null = null

async function replenish() {
  while (live.length < LIVE_SUPPLY) {
    const project = await projects.create(contextFor(database, sessionActor(owner.userId)), { name: `Live ${live.length}` })
    live.push(project.id)
    unchangedSince = null
  }
}

/** A deleted project leaves the live pool; the stranger's one project is recreated. */
async function forget(id: string) {
  if (live.includes(id)) live.splice(live.indexOf(id), 1)
  if (id === strangersProject) {
    strangersProject = (await projects.create(contextFor(database, sessionActor(stranger.userId)), { name: 'Not yours' })).id
    unchangedSince = null
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

async function versionOf(id: string): Promise<number | undefined> {
  if (!UUID.test(id)) return undefined
  const [row] = await database.db.select({ version: projectRows.version }).from(projectRows).where(eq(projectRows.id, id))
  return row?.version
}

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
  owner = await userWithToken(database)
  reader = await userWithToken(database, ['projects:read'])
  stranger = await userWithToken(database)
  // Hostile input, not plans, is the subject: Pro keeps Free's three-project limit from ending the run early.
  for (const who of [owner, stranger]) await makePro(database, personalWorkspace(who.userId))
  strangersProject = (await projects.create(contextFor(database, sessionActor(stranger.userId)), { name: 'Not yours' })).id
  await replenish()
})
afterAll(async () => {
  console.log(`fuzz: seed ${SEED}, sent ${sent} requests; statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
  await database.close()
})

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '../../etc/passwd',
    "' OR 1=1 --",
    '%00',
    '%E0%A4%A',
    '<script>',
    '🚀'.repeat(101),
    'x'.repeat(5000),
  ),
)

/** Which object a request is about, resolved when it is sent (the live pool changes during the run). */
type Target = { kind: 'live'; pick: number } | { kind: 'strangers' } | { kind: 'literal'; value: string }
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((pick): Target => ({ kind: 'live', pick })) },
  { weight: 1, arbitrary: fc.constant<Target>({ kind: 'strangers' }) },
  { weight: 1, arbitrary: fc.uuid().map((value): Target => ({ kind: 'literal', value })) },
  { weight: 1, arbitrary: hostileString.map((value): Target => ({ kind: 'literal', value })) },
)

function resolve(t: Target): string {
  if (t.kind === 'live') return live[t.pick % live.length] ?? ''
  if (t.kind === 'strangers') return strangersProject
  return t.value
}

// Cursors shaped like the service's own (base64url of `createdAt|id`): they pass decoding and reach the database.
const cursorDate = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toString()),
  fc.constantFrom(
    '0000-01-01T00:00:00.000Z',
    '+300000-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    'Sat Jan 01 0000 00:00:00 GMT+0000',
    '1970-01-01T00:00:00.000Z',
  ),
)
const wellFormedCursor = fc
  .tuple(cursorDate, fc.oneof(fc.uuid(), fc.constant('00000000-0000-0000-0000-000000000000')))
  .map(([date, uuid]) => Buffer.from(`${date}|${uuid}`).toString('base64url'))
const query = fc.record(
  {
    limit: fc.oneof(fc.integer({ min: -5, max: 120 }).map(String), hostileString),
    cursor: fc.oneof({ weight: 3, arbitrary: wellFormedCursor }, { weight: 1, arbitrary: hostileString }),
    x: hostileString,
  },
  { requiredKeys: [] },
)

// Multipart bodies, well-formed and not (issue 23): the upload route must answer each with a problem, never a 5xx,
// and the route must stay whole for the requests after. Sent with the boundary below or another.
const BOUNDARY = 'fuzz-boundary'
const partHead = (name: string, field = 'file') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`
const multipartBody = fc.oneof(
  fc.constant(`${partHead('ok.txt')}fuzzed text\r\n--${BOUNDARY}--\r\n`),
  // Truncated: the file's data and no closing boundary (the issue's body).
  fc.string({ maxLength: 200 }).map((text) => `${partHead('cut.txt')}${text}`),
  // Cut mid-part: anywhere inside the part's headers or data.
  fc.nat({ max: 120 }).map((at) => `${partHead('mid.txt')}some text\r\n--${BOUNDARY}--\r\n`.slice(0, at)),
  // Cut after the part's delimiter, before the closing dashes.
  fc.constant(`${partHead('dash.txt')}text\r\n--${BOUNDARY}`),
  // A boundary other than the declared one.
  fc.constant(`--another\r\nContent-Disposition: form-data; name="file"; filename="w.txt"\r\n\r\nx\r\n--another--\r\n`),
  // Oversized: a field far over busboy's field size, too many parts, a header section over its limits.
  fc.constant(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${'n'.repeat(64 * 1024)}\r\n--${BOUNDARY}--\r\n`),
  fc.constant(`${`--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n`.repeat(100)}--${BOUNDARY}--\r\n`),
  fc.constant(
    `--${BOUNDARY}\r\n${'X-Pad: p\r\n'.repeat(200)}Content-Disposition: form-data; name="file"; filename="h.txt"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
  ),
  // Hostile file names and fields, a file in another field, junk after a valid delimiter.
  hostileString.map((name) => `${partHead(name.replaceAll('"', ''))}x\r\n--${BOUNDARY}--\r\n`),
  fc.constant(`${partHead('other.txt', 'attachment')}x\r\n--${BOUNDARY}--\r\n`),
  fc.uint8Array({ maxLength: 64 }).map((junk) => Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), junk])),
)

const jsonValue = fc.jsonValue({ maxDepth: 3 })
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  // Well-formed and nearly well-formed changes, so many requests are accepted and write.
  {
    weight: 6,
    arbitrary: fc
      .record({ name: fc.string({ minLength: 1, maxLength: 101 }), description: fc.string({ maxLength: 50 }) }, { requiredKeys: ['name'] })
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc
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
  },
  // NUL characters in text fields: PostgreSQL's text type cannot store them.
  { weight: 1, arbitrary: fc.constantFrom('{"name":"a\\u0000b"}', '{"name":"ok","description":"\\u0000"}') },
  // Just over the body limit, in a valid JSON shape.
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ name: 'big', description: 'd'.repeat(JSON_BODY_LIMIT_BYTES) })) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constant('{"name": "x"') },
  { weight: 3, arbitrary: multipartBody },
)

const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(() => owner.authorization) },
  { weight: 2, arbitrary: fc.constant(() => reader.authorization) },
  { weight: 1, arbitrary: fc.constant(() => stranger.authorization) },
  { weight: 1, arbitrary: fc.constant(() => undefined) },
  { weight: 1, arbitrary: hostileString.map((s) => () => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.constant(() => `Bearer ${owner.token}x`) },
)

const latin1 = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)
/** A precondition value: the target's current ETag, a stale or impossible one, or junk, resolved when sent. */
type Tag = { kind: 'current' } | { kind: 'stale' } | { kind: 'literal'; value: string }
const tag: fc.Arbitrary<Tag> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Tag>({ kind: 'current' }) },
  { weight: 2, arbitrary: fc.constant<Tag>({ kind: 'stale' }) },
  {
    weight: 2,
    // Ten-digit versions reach the int4 column; 2147483648 is one past its range.
    arbitrary: fc
      .constantFrom('"v9999999999"', '"v2147483648"', '"v2147483647"', '"v0"', '"v1"', 'W/"v1"', '*', '"v-1"', '"v01"')
      .map((value): Tag => ({ kind: 'literal', value })),
  },
  { weight: 1, arbitrary: hostileString.filter(latin1).map((value): Tag => ({ kind: 'literal', value })) },
)

async function tagValue(t: Tag, id: string): Promise<string> {
  if (t.kind === 'literal') return t.value
  const version = await versionOf(id)
  if (version === undefined) return '"v1"'
  return t.kind === 'current' ? `"v${version}"` : `"v${version + 1}"`
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16') },
  { weight: 1, arbitrary: hostileString.filter(latin1) },
  { weight: 2, arbitrary: fc.constant(`multipart/form-data; boundary=${BOUNDARY}`) },
  { weight: 1, arbitrary: fc.constantFrom('multipart/form-data; boundary=other', 'multipart/form-data', 'multipart/form-data; boundary=') },
)

// Mostly the methods each path serves, so requests get past routing into parsing, auth and the services.
const request = fc.constantFrom(...routeFiles()).chain(([template, ops]) =>
  fc.record({
    template: fc.constant(template),
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ops.map((op) => op.http?.method ?? 'GET')) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
    ),
    target,
    query,
    body,
    contentType,
    authorization,
    ifMatch: fc.option(tag, { nil: undefined, freq: 2 }),
    ifNoneMatch: fc.option(tag, { nil: undefined, freq: 3 }),
  }),
)

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return 'lone-surrogate'
  }
}

test(`no input makes the API answer with a 5xx or write on a rejected request (${RUNS} requests)`, async () => {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      await replenish()
      const id = resolve(r.target)
      const path = r.template.replace(/\{\w+\}/g, () => encodeSegment(id))
      const url = new URL(path, 'http://api.test')
      // An empty id in a path with two ids (/projects//files/) leaves `//`, which Next's router redirects to the path
      // with single slashes before any route file runs: send what the API would see after that redirect.
      url.pathname = url.pathname.replace(/\/{2,}/g, '/')
      for (const [key, value] of Object.entries(r.query)) url.searchParams.set(key, value)
      const headers = new Headers()
      const auth = r.authorization()
      if (auth && latin1(auth)) headers.set('Authorization', auth)
      if (r.contentType !== undefined) headers.set('Content-Type', r.contentType)
      if (r.ifMatch !== undefined) headers.set('If-Match', await tagValue(r.ifMatch, id))
      if (r.ifNoneMatch !== undefined) headers.set('If-None-Match', await tagValue(r.ifNoneMatch, id))
      const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD'

      const before = unchangedSince ?? (await domainRows(database))
      const response = await api.fetch(`${url.pathname}${url.search}`, { method: r.method, headers, body: withBody ? r.body : undefined })
      sent++
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      const described = `${r.method} ${url} If-Match: ${headers.get('if-match')} If-None-Match: ${headers.get('if-none-match')} body: ${String(withBody ? r.body : '').slice(0, 200)} Content-Type: ${r.contentType}`
      expect(response.status, described).toBeLessThan(500)
      if (r.method === 'DELETE' && response.status === 204) await forget(id)
      // Whatever it answers, the published contract said it might.
      // (An id such as "." or ".." normalises the URL onto another path, so look up the path that was served.)
      const served = templates.find(({ match }) => match(url.pathname))?.template
      const declared = served ? (document.paths[served] as Record<string, { responses: object }>)[r.method.toLowerCase()] : undefined
      if (declared) expect(Object.keys(declared.responses), described).toContain(String(response.status))
      if (response.status >= 400) {
        if (r.method !== 'HEAD') expect(response.headers.get('content-type'), described).toBe('application/problem+json')
        const after = await domainRows(database)
        expect(after, described).toEqual(before)
        unchangedSince = after
      } else {
        unchangedSince = null
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  )
  expect(sent).toBe(RUNS)
  const seen = Object.fromEntries(EXPECTED_STATUSES.map((status) => [status, statuses.get(status) ?? 0]))
  const missing = EXPECTED_STATUSES.filter((status) => (statuses.get(status) ?? 0) < Math.min(MIN_PER_STATUS, RUNS / 100))
  expect(missing, `statuses seen: ${JSON.stringify(seen)}`).toEqual([])
}, 900_000)
