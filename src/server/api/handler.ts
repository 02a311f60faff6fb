// The public API as one fetch-standard handler, with no Next.js in the path: the same operations, adapters,
// auth, limits, errors and OpenAPI document as the app's route files, for API-only instances (api-server.js).
// Routing is a table built once from the registry; static paths win over templated ones, as in Next's router.
import { FastResponse } from 'srvx/node'
import { MethodNotAllowed, NotFound } from '../errors'
import { makeJsonResponsesWith } from '../http/json-response'
import type { Operation } from '../operations/operation'
import { publicOperations } from '../operations/registry'
import { apiOnlyDeps } from '../runtime/api'
import { liveness, readiness } from '../runtime/health'
import { openApiDocument } from '../runtime/openapi-route'
import { type ApiDeps, pathMatcher, refuse } from '../transports/api-call'
import { mountRoutes } from '../transports/to-route'

type Handler = (request: Request) => Response | Promise<Response>
type Methods = Partial<Record<string, Handler>>
type Route = { path: string; match: (pathname: string) => Record<string, string> | null; methods: Methods; params: number }

function staticRoute(path: string, methods: Methods): Route {
  return { path, match: (pathname) => (pathname === path || pathname === `${path}/` ? {} : null), methods, params: 0 }
}

/** The route table: every public operation's path, the OpenAPI document and the health checks. */
export function apiRouteTable(ops: readonly Operation[] = publicOperations, deps: ApiDeps = apiOnlyDeps): Route[] {
  const byPath = new Map<string, Operation[]>()
  for (const op of ops) if (op.http) byPath.set(op.http.path, [...(byPath.get(op.http.path) ?? []), op])
  const routes: Route[] = [
    staticRoute('/api/health', { GET: liveness }),
    staticRoute('/api/health/ready', { GET: readiness }),
    staticRoute('/api/v1/openapi.json', { GET: openApiDocument }),
  ]
  for (const [path, pathOps] of byPath) {
    routes.push({ path, match: pathMatcher(path), methods: mountRoutes(pathOps, deps), params: (path.match(/\{/g) ?? []).length })
  }
  return routes.sort((a, b) => a.params - b.params)
}

/**
 * A Request → Response function serving the table; anything else is a 404 problem, and a method a path does not
 * serve a 405, each counted and logged by the kernel like any other answer.
 */
export function createApiHandler(routes: Route[] = apiRouteTable(), deps: ApiDeps = apiOnlyDeps): Handler {
  makeJsonResponsesWith(FastResponse)
  // A path without parameters is found by its name, not by trying each route's matcher in turn.
  const exact = new Map<string, Route>()
  for (const route of routes) {
    if (route.params > 0) continue
    for (const path of [route.path, `${route.path}/`]) if (!exact.has(path)) exact.set(path, route)
  }
  const templated = routes.filter((route) => route.params > 0)
  return async (request) => {
    const { pathname } = new URL(request.url)
    const route = exact.get(pathname) ?? templated.find((candidate) => candidate.match(pathname))
    if (!route) return refuse(request, 'unknown', new NotFound('Resource'), deps)
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
    return refuse(request, route.path, new MethodNotAllowed(allow), deps)
  }
}
