// An operation's input from an HTTP request, by its declared shape: shared by the JSON and event-stream renderers.
import { PreconditionFailed } from '../errors'
import { readJsonObject } from '../http/body'
import { expectedVersionFromIfMatch } from '../http/etag'
import type { HttpMethod, Operation } from '../operations/operation'
import { parseInput } from '../services/parse'
import type { ApiCall } from './api-call'

const BODY_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH'])

function queryObject(url: URL, skip: readonly string[]): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [key, value] of url.searchParams) if (!skip.includes(key)) query[key] = value
  return query
}

/**
 * The operation's input from the request: the JSON body (or the query, for GET and DELETE), the path's parameters,
 * the declared headers, and If-Match's version where the declaration honours it. The request's own `workspace` and
 * `expectedVersion` fields never pass: the first is the session's claim, the second only If-Match may set.
 */
export async function inputOf(op: Operation, call: ApiCall): Promise<unknown> {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  const fromHeaders = Object.entries(http.headers ?? {})
  // A stream's session names its workspace in the query (api-call.ts): that is no input field.
  const notInput = [...(http.sessions ? ['workspace'] : []), ...fromHeaders.map(([field]) => field)]
  const fields = BODY_METHODS.has(http.method) ? await readJsonObject(call.request) : queryObject(call.url, notInput)
  const raw: Record<string, unknown> = { ...fields, ...call.params }
  delete raw.expectedVersion
  for (const [field, header] of fromHeaders) {
    const value = call.request.headers.get(header)
    if (value !== null) raw[field] = value
  }
  if (http.ifMatch) {
    const expected = expectedVersionFromIfMatch(call.request.headers.get('if-match'))
    if (expected === null) throw new PreconditionFailed()
    if (expected !== undefined) raw.expectedVersion = expected
  }
  return parseInput(op.input, raw)
}
