// The auth boundary through real HTTP against the production server (server.js): a client cannot pick its own
// rate-limit bucket with X-Forwarded-For unless a trusted proxy is configured, and Better Auth's own endpoints
// that would skip our rules are not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'

/** The anonymous API budget per client address, per minute (src/server/runtime.ts). */
const ANONYMOUS_BUDGET = 60

let direct: RunningServer
let behindProxy: RunningServer
beforeAll(async () => {
  ;[direct, behindProxy] = await Promise.all([startServer(), startServer({ env: { TRUST_PROXY: '1' } })])
})
afterAll(async () => {
  await Promise.all([direct?.stop(), behindProxy?.stop()])
})

const anonymousCall = (server: RunningServer, forwardedFor: string) =>
  fetch(`${server.url}/api/v1/projects`, { headers: { 'X-Forwarded-For': forwardedFor } })

describe('the client address', () => {
  it('is the connection, not X-Forwarded-For: a different spoofed address on every call still runs out', async () => {
    const statuses: number[] = []
    for (let i = 0; i <= ANONYMOUS_BUDGET; i++) {
      statuses.push((await anonymousCall(direct, `198.51.100.${i + 1}`)).status)
    }
    expect(statuses.slice(0, ANONYMOUS_BUDGET).every((status) => status === 401)).toBe(true)
    expect(statuses[ANONYMOUS_BUDGET]).toBe(429)
  })

  it('with TRUST_PROXY=1, the entry the proxy appended: two people behind it have separate budgets', async () => {
    // The client's own prepended entry is ignored: only the right-most counts.
    for (let i = 0; i < ANONYMOUS_BUDGET; i++) {
      expect((await anonymousCall(behindProxy, `6.6.6.${i}, 203.0.113.1`)).status).toBe(401)
    }
    expect((await anonymousCall(behindProxy, '6.6.6.200, 203.0.113.1')).status).toBe(429)
    expect((await anonymousCall(behindProxy, '203.0.113.2')).status).toBe(401)
  })
})

describe("Better Auth's endpoints", () => {
  it.each(['/api/auth/sign-in/email', '/api/auth/sign-up/email', '/api/auth/update-user', '/api/auth/change-password'])(
    'POST %s is 404',
    async (path) => {
      const response = await fetch(`${direct.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: direct.url },
        body: JSON.stringify({ email: 'someone@example.test', password: 'correct horse battery', name: 'x'.repeat(20_000) }),
      })
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.json()).toEqual({
        type: 'https://twofold.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: 'Endpoint not found.',
        code: 'NOT_FOUND',
        requestId: expect.any(String),
      })
    },
  )

  it('GET /api/auth/get-session still answers', async () => {
    const response = await fetch(`${direct.url}/api/auth/get-session`)
    expect(response.status).toBe(200)
    expect(await response.json()).toBeNull()
  })
})
