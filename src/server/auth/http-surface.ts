// Which of Better Auth's endpoints answer over HTTP at /api/auth/*: an allowlist, so an endpoint Better Auth adds
// (or one we never meant to expose, like its own sign-in, which skips our throttle and input rules) stays unreachable.
import { NotFound } from '../errors'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { log } from '../log'
import { type Auth, withClientIp } from './auth'
import { OAUTH_PROVIDER_IDS } from './providers'

export const AUTH_BASE_PATH = '/api/auth'

/**
 * The endpoints a browser or an outside party must reach directly; everything else goes through our own actions.
 * Better Auth's `/callback/:id` is listed once per provider we know, spelled out: no other id, method or spelling
 * reaches it. (POST is the form_post response mode, which none of our providers uses.)
 */
export const PUBLIC_AUTH_ENDPOINTS: ReadonlySet<string> = new Set([
  // The session as the browser's cookie shows it, for client-side code (without its token: see withoutSessionToken).
  'GET /get-session',
  // Where a provider sends the browser back after consent (src/server/auth/providers.ts).
  ...OAUTH_PROVIDER_IDS.map((id) => `GET /callback/${id}`),
])

/** The OAuth callbacks: a failure the handler did not turn into a redirect still ends on the sign-in page. */
const CALLBACKS: ReadonlySet<string> = new Set(OAUTH_PROVIDER_IDS.map((id) => `${AUTH_BASE_PATH}/callback/${id}`))

/**
 * Exact match on method and raw path: the path Better Auth routes on is the one we checked, so no spelling
 * (trailing slash, encoded slash, dot segments) reaches an endpoint the list does not name.
 */
export function isPublicAuthEndpoint(method: string, pathname: string): boolean {
  if (!pathname.startsWith(`${AUTH_BASE_PATH}/`)) return false
  return PUBLIC_AUTH_ENDPOINTS.has(`${method} ${pathname.slice(AUTH_BASE_PATH.length)}`)
}

const GET_SESSION = `${AUTH_BASE_PATH}/get-session`

/**
 * get-session's body with `session.token` taken out. The token is the session's bearer credential, kept in an
 * HttpOnly cookie so that no script can read it; a JSON copy would hand it to any script on the page, and nothing in
 * the app reads it there. Status and headers (Set-Cookie when Better Auth refreshes the session) are kept.
 */
async function withoutSessionToken(response: Response): Promise<Response> {
  // Only a session is rewritten: an error is passed on as Better Auth wrote it.
  if (response.status !== 200 || !(response.headers.get('content-type') ?? '').includes('application/json')) return response
  const body: unknown = await response.json()
  if (typeof body === 'object' && body !== null && 'session' in body) {
    const { session } = body
    if (typeof session === 'object' && session !== null && 'token' in session) {
      const { token: _token, ...rest } = session
      body.session = rest
    }
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers })
}

/** The handler behind /api/auth/[...all]: allowlisted endpoints reach Better Auth, with our client address. */
export function authHttpHandler(auth: Pick<Auth, 'handler'>): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url)
    if (!isPublicAuthEndpoint(request.method, pathname)) {
      return problemResponse(new NotFound('Endpoint'), requestIdFrom(request.headers))
    }
    const forwarded = new Request(request, { headers: withClientIp(request.headers) })
    if (pathname === GET_SESSION) return withoutSessionToken(await auth.handler(forwarded))
    if (!CALLBACKS.has(pathname)) return auth.handler(forwarded)
    // A browser mid-sign-in must never see a JSON error or a blank page: Better Auth redirects on every failure it
    // knows, and what escapes it (its database gone, a bug) becomes the sign-in page's message, not a 500.
    try {
      const response = await auth.handler(forwarded)
      if (response.status < 500) return response
      log.error('oauth callback failed', { status: response.status, requestId: requestIdFrom(request.headers) })
    } catch (error) {
      log.error('oauth callback failed', { error, requestId: requestIdFrom(request.headers) })
    }
    return new Response(null, { status: 303, headers: { location: '/sign-in?error=server_error', 'cache-control': 'no-store' } })
  }
}
