// The random part's generators: hostile strings, ids, cursors, bodies, headers; and `toSpec`, which turns a generated
// request into one to send once the world's current ids and versions are known. Its own module so that the test file
// reads as what is asserted, and these (the bulk of the fuzzer's text) can be read as what is sent.
import fc from 'fast-check'
import { JSON_BODY_LIMIT_BYTES } from '../../src/server/http/body'
import { byPath, type Endpoint } from './fuzz-endpoints'
import { MULTIPART_TYPE, multipartBody } from './fuzz-multipart'
import type { Spec } from './fuzz-send'
import { type FilePick, fileTag, type ProjectPick, projectVersion, resolveIds, type World } from './fuzz-world'

export const hostileString = fc.oneof(
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

const projectPick: fc.Arbitrary<ProjectPick> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((n): ProjectPick => ({ kind: 'live', n })) },
  { weight: 1, arbitrary: fc.constant<ProjectPick>({ kind: 'strangers' }) },
  { weight: 1, arbitrary: fc.nat().map((n): ProjectPick => ({ kind: 'free', n })) },
  { weight: 1, arbitrary: fc.uuid().map((value): ProjectPick => ({ kind: 'literal', value })) },
  { weight: 1, arbitrary: hostileString.map((value): ProjectPick => ({ kind: 'literal', value })) },
)
const filePick: fc.Arbitrary<FilePick> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((n): FilePick => ({ kind: 'own', n })) },
  { weight: 1, arbitrary: fc.nat().map((n): FilePick => ({ kind: 'other', n })) },
  { weight: 1, arbitrary: fc.constant<FilePick>({ kind: 'strangers' }) },
  { weight: 1, arbitrary: fc.uuid().map((value): FilePick => ({ kind: 'literal', value })) },
  { weight: 1, arbitrary: hostileString.map((value): FilePick => ({ kind: 'literal', value })) },
)

// Cursors shaped like the service's own (base64url of `createdAt|id`): they pass decoding and reach the database.
const cursorDate = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toString()),
  fc.constantFrom(
    '0000-01-01T00:00:00.000Z',
    '+300000-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
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
    after: fc.oneof(fc.nat({ max: 5000 }).map(String), hostileString),
    workspace: hostileString,
    x: hostileString,
  },
  { requiredKeys: [] },
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
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => new Uint8Array(bytes)) },
  { weight: 1, arbitrary: fc.constant('{"name": "x"') },
  { weight: 3, arbitrary: multipartBody(hostileString) },
)

export const latin1 = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)

type Who = 'owner' | 'reader' | 'stranger' | 'free' | 'none' | 'wrong' | { hostile: string }
const who: fc.Arbitrary<Who> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Who>('owner') },
  { weight: 2, arbitrary: fc.constant<Who>('reader') },
  { weight: 1, arbitrary: fc.constant<Who>('stranger') },
  { weight: 1, arbitrary: fc.constant<Who>('free') },
  { weight: 1, arbitrary: fc.constant<Who>('none') },
  { weight: 1, arbitrary: fc.constant<Who>('wrong') },
  { weight: 1, arbitrary: hostileString.map((hostile): Who => ({ hostile })) },
)

function authorization(world: World, w: Who): string | undefined {
  if (typeof w === 'object') return `Bearer ${w.hostile}`
  if (w === 'none') return undefined
  if (w === 'wrong') return `Bearer ${world.owner.token}x`
  return world[w].authorization
}

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

type Tagged = 'project' | 'file' | 'none'

async function tagValue(world: World, t: Tag, ids: { id: string; fileId: string }, tagged: Tagged): Promise<string> {
  if (t.kind === 'literal') return t.value
  // Only a project and a file have ETags: elsewhere the header is sent for what it does to parsing, and looking a
  // version up would cost a query per request for nothing.
  if (tagged === 'none') return t.kind === 'current' ? '"v1"' : '"v2"'
  if (tagged === 'file') {
    const current = await fileTag(world, ids.fileId)
    return t.kind === 'current' && current ? current : '"0000"'
  }
  const version = await projectVersion(world, ids.id)
  if (version === undefined) return '"v1"'
  return t.kind === 'current' ? `"v${version}"` : `"v${version + 1}"`
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16') },
  { weight: 1, arbitrary: hostileString.filter(latin1) },
  { weight: 3, arbitrary: fc.constant(MULTIPART_TYPE) },
  { weight: 1, arbitrary: fc.constantFrom('multipart/form-data; boundary=other', 'multipart/form-data', 'multipart/form-data; boundary=') },
)

// Ranges a download must answer: whole, partial, suffix, past the end, several, and junk.
const range = fc.oneof(
  fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 })).map(([a, b]) => `bytes=${a}-${a + b}`),
  fc.nat({ max: 40 }).map((n) => `bytes=-${n}`),
  fc.nat({ max: 40 }).map((n) => `bytes=${n}-`),
  fc.constantFrom('bytes=999999-', 'bytes=0-0,5-6', 'bytes=5-1', 'items=0-1', 'bytes=-0', 'bytes=99999999999999999999-'),
  hostileString.filter(latin1),
)
// Last-Event-ID: none, an id this server could have sent (near the activity ids of the run), or garbage.
const lastEventId = fc.oneof(
  fc.nat({ max: 5000 }).map(String),
  fc.constantFrom('0', '-1', '1e3', ' 12 ', '999999999999999', '9'.repeat(40)),
  hostileString.filter(latin1),
)

const wellFormedChange = fc
  .record({ name: fc.string({ minLength: 1, maxLength: 101 }), description: fc.string({ maxLength: 50 }) }, { requiredKeys: ['name'] })
  .map((v) => JSON.stringify(v))
// Mostly a body with the type it claims, so that writes get past parsing and are accepted often; else any pair.
const payload = fc.oneof(
  { weight: 2, arbitrary: fc.record({ body: wellFormedChange, contentType: fc.constant<string | undefined>('application/json') }) },
  { weight: 1, arbitrary: fc.record({ body: multipartBody(hostileString), contentType: fc.constant<string | undefined>(MULTIPART_TYPE) }) },
  { weight: 3, arbitrary: fc.record({ body, contentType }) },
)

/** One random request: a route and mostly one of its methods, so requests get past routing into the handlers. */
export function randomRequest(endpoints: readonly Endpoint[]) {
  return fc.constantFrom(...byPath(endpoints)).chain(([path, served]) =>
    fc.record({
      path: fc.constant(path),
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...served.map((endpoint) => endpoint.method)) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
      ),
      project: projectPick,
      file: filePick,
      query,
      payload,
      who,
      ifMatch: fc.option(tag, { nil: undefined, freq: 2 }),
      ifNoneMatch: fc.option(tag, { nil: undefined, freq: 3 }),
      range: fc.option(range, { nil: undefined, freq: 2 }),
      lastEventId: fc.option(lastEventId, { nil: undefined, freq: 2 }),
    }),
  )
}
export type RandomRequest = ReturnType<typeof randomRequest> extends fc.Arbitrary<infer R> ? R : never

/** A path segment as a client would send it; "." and ".." would leave the template (the URL normalises them). */
export function segment(value: string): string {
  if (value === '.' || value === '..') return `${value}x`
  try {
    return encodeURIComponent(value)
  } catch {
    return 'lone-surrogate'
  }
}

export async function toSpec(world: World, r: RandomRequest): Promise<{ spec: Spec; ids: { id: string; fileId: string } }> {
  const ids = resolveIds(world, r.project, r.file, r.path.includes('{fileId}'))
  const tagged: Tagged = r.path.includes('{fileId}') ? 'file' : r.path.endsWith('/projects/{id}') ? 'project' : 'none'
  const path = r.path.replace(/\{(\w+)\}/g, (_, name: string) => segment(name === 'fileId' ? ids.fileId : ids.id))
  const url = new URL(path, 'http://api.test')
  // An empty id in a path with two ids (/projects//files/) leaves `//`, which Next's router redirects to the path
  // with single slashes before any route file runs: send what the API would see after that redirect.
  url.pathname = url.pathname.replace(/\/{2,}/g, '/')
  for (const [key, value] of Object.entries(r.query)) url.searchParams.set(key, value)
  const headers: Record<string, string> = {}
  const auth = authorization(world, r.who)
  if (auth && latin1(auth)) headers.authorization = auth
  if (r.payload.contentType !== undefined) headers['content-type'] = r.payload.contentType
  if (r.ifMatch !== undefined) headers['if-match'] = await tagValue(world, r.ifMatch, ids, tagged)
  if (r.ifNoneMatch !== undefined) headers['if-none-match'] = await tagValue(world, r.ifNoneMatch, ids, tagged)
  if (r.range !== undefined) headers.range = r.range
  if (r.lastEventId !== undefined) headers['last-event-id'] = r.lastEventId
  return { spec: { method: r.method, url: `${url.pathname}${url.search}`, headers, body: r.payload.body }, ids }
}
