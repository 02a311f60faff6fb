// Which of Better Auth's endpoints answer over HTTP at /api/auth/*: an allowlist, so an endpoint Better Auth adds
// (or one we never meant to expose, like its own sign-in, which skips our throttle and input rules) stays unreachable.
import { NotFound } from '../errors'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { type Auth, withClientIp } from './auth'

export const AUTH_BASE_PATH = '/api/auth'

/**
 * The endpoints a browser or an outside party must reach directly; everything else goes through our own actions.
 * OAuth callbacks and e-mail links belong here when they arrive (e.g. 'GET /callback/:id' needs a pattern: add it
 * deliberately, matched exactly, never by prefix).
 */
export const PUBLIC_AUTH_ENDPOINTS: ReadonlySet<string> = new Set([
  // The session as the browser's cookie shows it, for client-side code.
  'GET /get-session',
])

/**
 * Exact match on method and raw path: the path Better Auth routes on is the one we checked, so no spelling
 * (trailing slash, encoded slash, dot segments) reaches an endpoint the list does not name.
 */
export function isPublicAuthEndpoint(method: string, pathname: string): boolean {
  if (!pathname.startsWith(`${AUTH_BASE_PATH}/`)) return false
  return PUBLIC_AUTH_ENDPOINTS.has(`${method} ${pathname.slice(AUTH_BASE_PATH.length)}`)
}

/** The handler behind /api/auth/[...all]: allowlisted endpoints reach Better Auth, with our client address. */
export function authHttpHandler(auth: Pick<Auth, 'handler'>): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url)
    if (!isPublicAuthEndpoint(request.method, pathname)) {
      return problemResponse(new NotFound('Endpoint'), requestIdFrom(request.headers))
    }
    return auth.handler(new Request(request, { headers: withClientIp(request.headers) }))
  }
}
