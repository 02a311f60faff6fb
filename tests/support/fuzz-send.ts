// Sends one fuzzed request through the real route modules and checks what every answer owes: no 5xx, a status the
// OpenAPI document declares, problem+json for an error, and no effect on the database or the stored files when the
// request was refused. Its own module so the directed cases and the random ones are held to exactly the same checks.
import { expect } from 'vitest'
import { pathMatcher } from '../../src/server/transports/api-call'
import { buildOpenApiDocument } from '../../src/server/transports/openapi'
import type { Endpoint } from './fuzz-endpoints'
import { type Snapshot, snapshot } from './fuzz-snapshot'
import type { World } from './fuzz-world'

export type Spec = {
  method: string
  /** The path and query, ids already in place. */
  url: string
  headers: Record<string, string>
  /** A stream is made per send: a request body can be read once. */
  body?: string | Uint8Array<ArrayBuffer> | (() => ReadableStream<Uint8Array>)
  /** Through the harness whose budget is two requests a minute. */
  tight?: boolean
  /** What the generator meant, for the failure message (the body is summarised, not printed). */
  note?: string
}

/** An answer the API gives today that breaks a rule above: tolerated, counted and reported, never silently. */
export type KnownDefect = { reason: string; matches(spec: Spec, response: Response): boolean }

export type Tally = {
  sent: number
  statuses: Map<number, number>
  /** Per operation name: requests that reached its handler (the path and method were its). */
  reached: Map<string, number>
  /** Per operation name: requests it answered with a success (below 400). */
  succeeded: Map<string, number>
  defects: Map<string, number>
  /** Milliseconds spent sending and in snapshots: where a slow run's time goes. */
  ms: { requests: number; snapshots: number }
}

export const newTally = (): Tally => ({
  sent: 0,
  statuses: new Map(),
  reached: new Map(),
  succeeded: new Map(),
  defects: new Map(),
  ms: { requests: 0, snapshots: 0 },
})

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)

const document = buildOpenApiDocument()
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])
type Declared = Record<string, { responses: Record<string, unknown> } | undefined>

export function summarise(spec: Spec): string {
  const body =
    typeof spec.body === 'string'
      ? spec.body.slice(0, 200)
      : spec.body instanceof Uint8Array
        ? `${spec.body.length} bytes`
        : spec.body
          ? 'a stream'
          : ''
  return `${spec.method} ${spec.url} ${JSON.stringify(spec.headers)} body: ${JSON.stringify(body)}${spec.note ? ` (${spec.note})` : ''}`
}

/** Where the answer's body goes: an event stream is cancelled at once (it stays open otherwise), the rest is read. */
async function consume(response: Response, abort: AbortController): Promise<string> {
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    abort.abort()
    await response.body?.cancel()
    return ''
  }
  if (response.status === 200 || response.status === 206) {
    // A download's bytes are not the subject: release the file rather than read it.
    if (!response.headers.get('content-type')?.includes('json')) {
      await response.body?.cancel()
      return ''
    }
  }
  return response.text()
}

export type Sender = {
  send(spec: Spec): Promise<Response>
  tally: Tally
}

export function sender(world: World, endpoints: readonly Endpoint[], knownDefects: readonly KnownDefect[]): Sender {
  const tally = newTally()
  const routes = endpoints.map((endpoint) => ({ endpoint, match: pathMatcher(endpoint.path) }))
  // The state the last refused request left: consecutive refusals need no fresh "before".
  let clean: Snapshot | null = null

  return {
    tally,
    async send(spec) {
      if (world.dirty) {
        clean = null
        world.dirty = false
      }
      // Only the file routes are handed the storage, and of them a download only reads: the stored files are listed
      // around any other method at a files path. A snapshot kept from before lists them or not, so compare like with
      // like by taking a fresh one when this request needs the listing and the kept one has none.
      const withFiles = new URL(spec.url, 'http://api.test').pathname.includes('/files') && !READS.has(spec.method)
      if (clean && withFiles && clean.files === 'not listed') clean = null
      let started = performance.now()
      const before = clean ?? (await snapshot(world.database, world.storageDir, withFiles))
      tally.ms.snapshots += performance.now() - started
      started = performance.now()
      const abort = new AbortController()
      const body = typeof spec.body === 'function' ? spec.body() : spec.body
      const init: RequestInit & { duplex?: 'half' } = {
        method: spec.method,
        headers: spec.headers,
        signal: abort.signal,
        body: spec.method === 'GET' || spec.method === 'HEAD' ? undefined : body,
        duplex: 'half',
      }
      const response = await (spec.tight ? world.tightApi : world.api).fetch(spec.url, init)
      const text = await consume(response, abort)
      tally.ms.requests += performance.now() - started
      tally.sent++
      bump(tally.statuses, response.status)
      const { pathname } = new URL(spec.url, 'http://api.test')
      const served = routes.filter(({ match }) => match(pathname))
      const reached = served.find(({ endpoint }) => endpoint.method === spec.method)?.endpoint
      if (reached) bump(tally.reached, reached.name)
      if (reached && response.status < 400) bump(tally.succeeded, reached.name)

      const said = `${summarise(spec)} → ${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`
      const defect = knownDefects.find((known) => known.matches(spec, response))
      if (defect) bump(tally.defects, defect.reason)
      else {
        expect(response.status, said).toBeLessThan(500)
        // Whatever it answers, the published contract said it might.
        const template = served[0]?.endpoint.path
        const declared = template ? (document.paths[template] as Declared)[spec.method.toLowerCase()] : undefined
        if (declared) expect(Object.keys(declared.responses), said).toContain(String(response.status))
        if (response.status >= 400 && spec.method !== 'HEAD') {
          expect(response.headers.get('content-type'), said).toBe('application/problem+json')
          expect(JSON.parse(text), said).toMatchObject({ status: response.status })
        }
      }
      if (response.status >= 400) {
        started = performance.now()
        const after = await snapshot(world.database, world.storageDir, withFiles)
        tally.ms.snapshots += performance.now() - started
        expect(after.writes, `a refused request wrote to the database: ${said}`).toBe(before.writes)
        if (withFiles) expect(after.files, `a refused request changed the stored files: ${said}`).toEqual(before.files)
        clean = after
      } else clean = null
      return response
    },
  }
}
