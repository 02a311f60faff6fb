// Better Auth's HTTP surface through the real /api/auth handler: every mounted endpoint not on the allowlist is
// 404, however its path is spelled; the allowlisted ones work, and Better Auth sees our client address.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CLIENT_IP_HEADER, createAuth, withClientIp } from '../../src/server/auth/auth'
import { authHttpHandler, PUBLIC_AUTH_ENDPOINTS } from '../../src/server/auth/http-surface'
import type { Database } from '../../src/server/db/client'
import { createTestDatabase } from '../support/db'
import { cookieHeaderFrom } from '../support/forms'
import { expectProblem } from '../support/problem'

const APP = 'http://localhost:3000'
let database: Database
let auth: ReturnType<typeof createAuth>
let handle: (request: Request) => Promise<Response>

beforeAll(async () => {
  database = await createTestDatabase()
  auth = createAuth(database.db, { appUrl: APP, authSecret: 'a'.repeat(32), env: 'test' })
  handle = authHttpHandler(auth)
})
afterAll(() => database.close())

/** Every endpoint Better Auth mounts, as "METHOD /path" with any :param filled in, read from auth.api itself. */
function mountedEndpoints(): string[] {
  const found: string[] = []
  for (const endpoint of Object.values(auth.api)) {
    const path: unknown = 'path' in endpoint ? endpoint.path : undefined
    if (typeof path !== 'string') continue // server-only endpoints have no path
    const declared: unknown = endpoint.options.method
    const methods = (Array.isArray(declared) ? declared : [declared]).filter((m): m is string => typeof m === 'string')
    for (const method of methods.flatMap((m) => (m === '*' ? ['GET', 'POST'] : [m]))) {
      found.push(`${method} ${path.replaceAll(/:[A-Za-z]+/g, 'x')}`)
    }
  }
  return found
}

function call(endpoint: string, init: RequestInit = {}): Promise<Response> {
  const [method = 'GET', path = ''] = endpoint.split(' ')
  const body = method === 'GET' ? undefined : JSON.stringify({ email: 'a@example.test', password: 'correct horse battery', name: 'A' })
  return handle(
    new Request(`${APP}/api/auth${path}`, {
      method,
      body,
      ...init,
      headers: { 'content-type': 'application/json', origin: APP, ...init.headers },
    }),
  )
}

const expectNotFound = (response: Response) => expectProblem(response, 'NOT_FOUND', 'Endpoint not found.')

describe('Better Auth over HTTP', () => {
  test('the enumeration sees the endpoints that were reachable, so it cannot pass by finding nothing', () => {
    expect(mountedEndpoints()).toEqual(
      expect.arrayContaining([
        'POST /sign-in/email',
        'POST /sign-up/email',
        'POST /update-user',
        'POST /change-password',
        'GET /get-session',
      ]),
    )
    expect(mountedEndpoints().length).toBeGreaterThan(25)
  })

  test('every mounted endpoint not on the allowlist answers 404, before Better Auth runs', async () => {
    const hidden = mountedEndpoints().filter((endpoint) => !PUBLIC_AUTH_ENDPOINTS.has(endpoint))
    for (const endpoint of hidden) {
      const response = await call(endpoint)
      await expectNotFound(response).catch((error: unknown) => {
        throw new Error(`${endpoint} answered ${response.status}`, { cause: error })
      })
    }
  })

  test('signing up straight at /sign-up/email creates no account', async () => {
    const email = `direct-${randomUUID().slice(0, 8)}@example.test`
    await expectNotFound(
      await handle(
        new Request(`${APP}/api/auth/sign-up/email`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: APP },
          body: JSON.stringify({ name: 'x'.repeat(20_000), email, password: 'correct horse battery' }),
        }),
      ),
    )
    const users = await database.db.query.user.findMany({ where: (user, { eq }) => eq(user.email, email) })
    expect(users).toEqual([])
  })

  test.each([
    'POST /get-session',
    'GET /get-session/',
    'GET //get-session',
    'GET /%67et-session',
    'GET /GET-SESSION',
    'GET /get-session/../sign-in/email',
    'GET /unknown-endpoint',
    'GET ',
  ])('%s (another spelling or method) is 404 too', async (endpoint) => {
    await expectNotFound(await call(endpoint))
  })

  test('GET /get-session works: null without a session, the user with one, never the session token', async () => {
    const anonymous = await call('GET /get-session')
    expect(anonymous.status).toBe(200)
    expect(await anonymous.json()).toBeNull()

    const email = `session-${randomUUID().slice(0, 8)}@example.test`
    const signedUp = await auth.api.signUpEmail({
      body: { name: 'Session', email, password: 'correct horse battery' },
      headers: new Headers(),
      asResponse: true,
    })
    const cookie = cookieHeaderFrom(signedUp.headers)
    const withSession = await call('GET /get-session', { headers: { cookie } })
    expect(withSession.status).toBe(200)
    const body = await withSession.json()
    expect(body).toMatchObject({ user: { email }, session: { userId: body.user.id } })
    // The token is the HttpOnly cookie's value: no script may read it from this body.
    expect(body.session).not.toHaveProperty('token')
  })
})

describe('the OAuth callbacks', () => {
  test('GET /callback/{github,google,oidc} are allowed, exactly', () => {
    const callbacks = [...PUBLIC_AUTH_ENDPOINTS].filter((endpoint) => endpoint.includes('callback'))
    expect(callbacks.sort()).toEqual(['GET /callback/github', 'GET /callback/google', 'GET /callback/oidc'])
  })

  test.each(['GET /callback/github', 'GET /callback/google', 'GET /callback/oidc'])(
    '%s reaches Better Auth: without a state it redirects to the sign-in page with a code',
    async (endpoint) => {
      const response = await call(endpoint)
      expect(response.status).toBe(302)
      expect(response.headers.get('location')).toBe(`${APP}/sign-in?error=state_not_found`)
    },
  )

  test.each([
    'POST /callback/github',
    'GET /callback/github/',
    'GET /callback/GitHub',
    'GET /callback/github2',
    'GET /callback/%67ithub',
    'GET /callback/github%2F..%2Fsign-in',
    'GET /callback//github',
    'GET /callback/',
    'GET /callback',
    'GET /callback/apple',
    'GET /callback/x',
    'GET /oauth2/callback/oidc',
  ])('%s (a near miss) is 404', async (endpoint) => {
    await expectNotFound(await call(endpoint))
  })

  test('a callback that fails inside Better Auth (thrown or 5xx) still ends on the sign-in page, never a 500', async () => {
    const failing = [
      async () => new Response('{"message":"boom at db.ts:12"}', { status: 500 }),
      async (): Promise<Response> => {
        throw new Error('database gone')
      },
    ]
    for (const handler of failing) {
      const response = await authHttpHandler({ handler })(new Request(`${APP}/api/auth/callback/oidc?code=a&state=b`))
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toBe('/sign-in?error=server_error')
      expect(await response.text()).toBe('')
    }
    // Elsewhere a 5xx is Better Auth's to answer as it is.
    const session = await authHttpHandler({ handler: failing[0] ?? (async () => new Response()) })(
      new Request(`${APP}/api/auth/get-session`),
    )
    expect(session.status).toBe(500)
  })
})

describe('the client address Better Auth is given', () => {
  test('the handler overwrites a client-sent address header with ours', async () => {
    let seen: Headers | undefined
    const spy = authHttpHandler({
      handler: async (request) => {
        seen = request.headers
        return new Response(null, { status: 204 })
      },
    })
    const response = await spy(
      new Request(`${APP}/api/auth/get-session`, {
        headers: { [CLIENT_IP_HEADER]: '6.6.6.6', 'x-forwarded-for': '7.7.7.7', 'x-twofold-peer-address': '203.0.113.9' },
      }),
    )
    expect(response.status).toBe(204)
    expect(seen?.get(CLIENT_IP_HEADER)).toBe('203.0.113.9')
  })

  test('withClientIp leaves the caller’s headers alone', () => {
    const original = new Headers({ 'x-twofold-peer-address': '::ffff:203.0.113.9', [CLIENT_IP_HEADER]: 'spoof' })
    expect(withClientIp(original).get(CLIENT_IP_HEADER)).toBe('203.0.113.9')
    expect(original.get(CLIENT_IP_HEADER)).toBe('spoof')
  })
})
