// The public API as one fetch-standard handler, with no Next.js in the path: the same operations, adapters,
// auth, limits, errors and OpenAPI document as the app's route files, for API-only instances (api-server.js).
// Routing is a table built once from the registry; static paths win over templated ones, as in Next's router.
import { MethodNotAllowed, NotFound } from '../errors'
import { applyCorsHeaders } from '../http/cors'
import { liveness, readiness } from '../http/health'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { openApiDocument } from '../operations/openapi-route'
import type { Operation } from '../operations/operation'
import { publicOperations, streamOperations } from '../operations/registry'
import { routeDeps } from '../operations/route-deps'
import { streamDeps } from '../operations/stream-deps'
import { mountStream } from '../operations/to-event-stream'
import { mountRoutes, pathMatcher, type RouteDeps } from '../operations/to-route'

type Handler = (request: Request) => Response | Promise<Response>
type Methods = Partial<Record<string, Handler>>
type Route = { match: (pathname: string) => Record<string, string> | null; methods: Methods; params: number }

function staticRoute(path: string, methods: Methods): Route {
  return { match: (pathname) => (pathname === path || pathname === `${path}/` ? {} : null), methods, params: 0 }
}

/** The route table: every public operation's path, the OpenAPI document and the health checks. */
export function apiRouteTable(ops: readonly Operation[] = publicOperations, deps: RouteDeps = routeDeps): Route[] {
  const byPath = new Map<string, Operation[]>()
  for (const op of ops) if (op.http) byPath.set(op.http.path, [...(byPath.get(op.http.path) ?? []), op])
  const routes: Route[] = [
    staticRoute('/api/health', { GET: liveness }),
    staticRoute('/api/health/ready', { GET: readiness }),
    staticRoute('/api/v1/openapi.json', { GET: openApiDocument }),
  ]
  for (const [path, pathOps] of byPath) {
    routes.push({ match: pathMatcher(path), methods: mountRoutes(pathOps, deps), params: (path.match(/\{/g) ?? []).length })
  }
  // Event streams take API tokens only here: an API-only instance has no sessions.
  for (const op of streamOperations) routes.push(staticRoute(op.http.path, mountStream(op, streamDeps({ sessions: false }))))
  return routes.sort((a, b) => a.params - b.params)
}

/** A Request → Response function serving the table; anything else is a 404 problem. */
export function createApiHandler(routes: Route[] = apiRouteTable()): Handler {
  return async (request) => {
    const { pathname } = new URL(request.url)
    const route = routes.find((candidate) => candidate.match(pathname))
    if (!route) return problemResponse(new NotFound('Resource'), requestIdFrom(request.headers), applyCorsHeaders(new Headers()))
    const method = request.method.toUpperCase()
    const own = route.methods[method]
    if (own) return own(request)
    const get = route.methods.GET
    if (method === 'HEAD' && get) {
      // As Next does: HEAD is GET without the body.
      const response = await get(request)
      return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers })
    }
    const allow = Object.keys(route.methods)
    return problemResponse(new MethodNotAllowed(allow), requestIdFrom(request.headers), new Headers({ Allow: allow.join(', ') }))
  }
}
