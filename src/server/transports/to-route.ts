// The JSON renderer on the API kernel (api-call.ts): an operation's input from the request, its output as JSON with
// real HTTP semantics (ETags and conditional requests, Location, pagination links), and mountRoutes, which serves
// every operation of one path with the renderer its declared shape asks for.
import type { z } from 'zod'
import { MethodNotAllowed } from '../errors'
import { preflightHeaders } from '../http/cors'
import { etagFor, matchesIfNoneMatch } from '../http/etag'
import { jsonResponse } from '../http/json-response'
import type { HttpMethod, HttpShape, Operation } from '../operations/operation'
import { type ApiDeps, apiCall, logged, type RouteHandler, refuse } from './api-call'
import { outputOf } from './output'
import { inputOf } from './request-input'
import { toEventStreamRoute } from './to-event-stream'
import { toDownloadRoute, toUploadRoute } from './to-file-route'

export type RouteDeps = ApiDeps
export type { RouteHandler }

/** A JSON operation's route handler: its input from the request, its output as JSON with the shape's headers. */
export function toRoute<I extends z.ZodType, O extends z.ZodType>(op: Operation<I, O>, deps: RouteDeps): RouteHandler {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  return (request) =>
    apiCall(request, op, deps, async (call) => {
      const input = (await inputOf(op, call)) as z.output<I>
      const output = outputOf(op.output, await op.run(call.ctx, input))
      // Only a Location or a next page's link needs the public URL: not parsed for the answers that have neither.
      const publicUrl = () => new URL(`${call.url.pathname}${call.url.search}`, call.ctx.appUrl)
      return render(http, request, publicUrl, output, call.headers)
    })
}

function render<O>(http: HttpShape<O>, request: Request, publicUrl: () => URL, output: O, headers: Headers): Response {
  headers.set('Cache-Control', http.method === 'GET' ? 'private, no-cache' : 'no-store')
  headers.set('Vary', 'Authorization')
  if (http.status === 204) return new Response(null, { status: 204, headers })

  const version = http.etagVersion?.(output)
  if (version !== undefined) {
    headers.set('ETag', etagFor(version))
    if (http.method === 'GET' && matchesIfNoneMatch(request.headers.get('if-none-match'), version)) {
      return new Response(null, { status: 304, headers })
    }
  }
  if (http.status === 201 && http.location) {
    const url = publicUrl()
    headers.set('Location', new URL(http.location(output), url).toString())
  }

  let body: unknown = output
  if (http.paginated) body = withNextLink(output, publicUrl, headers)
  headers.set('Content-Type', 'application/json')
  return jsonResponse(body, http.status, headers)
}

// A page gets the URL of the next one both as a Link header (RFC 8288) and in the body, for clients that ignore headers.
function withNextLink(output: unknown, url: () => URL, headers: Headers): unknown {
  if (typeof output !== 'object' || output === null || !('nextCursor' in output)) return output
  const cursor = output.nextCursor
  if (typeof cursor !== 'string') return { ...output, next: null }
  const next = url()
  next.searchParams.set('cursor', cursor)
  headers.set('Link', `<${next.toString()}>; rel="next"`)
  return { ...output, next: next.toString() }
}

/** The renderer an operation's HTTP shape asks for. */
export function routeFor(op: Operation, deps: RouteDeps): RouteHandler {
  if (op.http?.answer === 'events') return toEventStreamRoute(op, deps)
  if (op.http?.answer === 'bytes') return toDownloadRoute(op, deps)
  if (op.http?.body === 'multipart') return toUploadRoute(op, deps)
  return toRoute(op, deps)
}

/**
 * All method handlers for one path: the operations given, 405 with Allow for the rest, and OPTIONS, which is also
 * the CORS preflight. HEAD is left to Next (and to the API-only router), which answer it from GET without the body.
 */
export function mountRoutes(ops: readonly Operation[], deps: RouteDeps) {
  const byMethod = new Map<string, RouteHandler>()
  for (const op of ops) if (op.http) byMethod.set(op.http.method, routeFor(op, deps))
  const allow = [...byMethod.keys(), 'OPTIONS']
  if (byMethod.has('GET')) allow.push('HEAD')
  const route = ops.find((op) => op.http)?.http?.path ?? 'unknown'
  const notAllowed: RouteHandler = (request) => refuse(request, route, new MethodNotAllowed(allow), deps)
  const handler = (method: HttpMethod) => byMethod.get(method) ?? notAllowed
  // The CORS preflight is not counted: a browser sends it without the token, and it does no work.
  const options: RouteHandler = (request) =>
    logged(request, route, deps.log, async (requestId) => {
      const headers = preflightHeaders(allow)
      headers.set('Allow', allow.join(', '))
      headers.set('X-Request-Id', requestId)
      return new Response(null, { status: 204, headers })
    })
  return {
    GET: handler('GET'),
    POST: handler('POST'),
    PUT: handler('PUT'),
    PATCH: handler('PATCH'),
    DELETE: handler('DELETE'),
    OPTIONS: options,
  }
}
