// The fuzzer's endpoint list, read from the operation registry so that a new public operation, streaming or not, is
// fuzzed with no edit here: its declared HTTP shape says how a request to it is built and its answer consumed.
import type { Operation } from '../../src/server/operations/operation'
import { publicOperations } from '../../src/server/operations/registry'

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

function kindOf(op: Operation): EndpointKind {
  if (op.http?.answer === 'events') return 'events'
  if (op.http?.body === 'multipart') return 'upload'
  if (op.http?.answer === 'bytes') return 'download'
  return 'json'
}

export function endpointsOf(ops: readonly Operation[]): Endpoint[] {
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
  return endpointsOf(publicOperations)
}

/** The endpoints grouped by path: one route file each, with the methods it serves. */
export function byPath(endpoints: readonly Endpoint[]): Map<string, Endpoint[]> {
  const paths = new Map<string, Endpoint[]>()
  for (const endpoint of endpoints) paths.set(endpoint.path, [...(paths.get(endpoint.path) ?? []), endpoint])
  return paths
}
