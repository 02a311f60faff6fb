// The fuzzer's endpoint list, read from the operation registry so that a new public operation is fuzzed with no edit
// here. It lives in its own module because it is the one place that knows the registry has two lists today: when the
// event stream becomes an ordinary operation (`http.answer === 'events'`, issue 24), only `fuzzTargets` changes.
import { publicOperations, streamOperations } from '../../src/server/operations/registry'

/** How a request to the endpoint is built and its answer consumed. */
export type EndpointKind = 'json' | 'upload' | 'download' | 'events'

export type Endpoint = {
  /** The operation's name (`projects.create`), for the per-operation tally. */
  name: string
  method: string
  /** The OpenAPI-style template, e.g. /api/v1/projects/{id}/files/{fileId}. */
  path: string
  kind: EndpointKind
  /** The template's {parameters}, in order. */
  params: string[]
}

/** What the fuzzer reads of a declaration: enough of either list's shape, and of the merged one to come. */
type Declared = {
  name: string
  http?: { method: string; path: string; stream?: { request?: string; response?: string }; answer?: string }
  open?: unknown
}

function kindOf(op: Declared): EndpointKind {
  if (op.http?.answer === 'events' || op.open !== undefined) return 'events'
  if (op.http?.stream?.request === 'multipart/form-data') return 'upload'
  if (op.http?.stream?.response === 'bytes') return 'download'
  return 'json'
}

export function endpointsOf(ops: readonly Declared[]): Endpoint[] {
  return ops.flatMap((op) =>
    op.http
      ? [
          {
            name: op.name,
            method: op.http.method,
            path: op.http.path,
            kind: kindOf(op),
            params: [...op.http.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''),
          },
        ]
      : [],
  )
}

/** Every operation the public API serves. */
export function fuzzTargets(): Endpoint[] {
  return endpointsOf([...publicOperations, ...streamOperations])
}

/** The endpoints grouped by path: one route file each, with the methods it serves. */
export function byPath(endpoints: readonly Endpoint[]): Map<string, Endpoint[]> {
  const paths = new Map<string, Endpoint[]>()
  for (const endpoint of endpoints) paths.set(endpoint.path, [...(paths.get(endpoint.path) ?? []), endpoint])
  return paths
}
