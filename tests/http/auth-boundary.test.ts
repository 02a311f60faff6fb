// The auth boundary through real HTTP against the production server (server.js): a client cannot pick its own
// rate-limit bucket with X-Forwarded-For unless a trusted proxy is configured, Better Auth's own endpoints that would
// skip our rules are not there, get-session never shows the session token, and the sign-in, sign-up and "dismiss"
// actions (posted as a browser without JavaScript posts them) follow only same-origin return paths, throttle
// simultaneous guesses and refuse arguments that are not forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD } from '../support/accounts'
import { hiddenFields, signUpThroughForm, submitForm } from '../support/forms'
import { expectProblem } from '../support/problem'
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
        body: JSON.stringify({ email: 'someone@example.test', password: PASSWORD, name: 'x'.repeat(20_000) }),
      })
      await expectProblem(response, 'NOT_FOUND', 'Endpoint not found.')
    },
  )

  it('GET /api/auth/get-session still answers', async () => {
    const response = await fetch(`${direct.url}/api/auth/get-session`)
    expect(response.status).toBe(200)
    expect(await response.json()).toBeNull()
  })
})

/** The hidden fields of the one form on `html` that has a field named `name`. */
function formWith(html: string, name: string): [string, string][] {
  const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((match) => match[0]).find((f) => f.includes(`name="${name}"`))
  return hiddenFields(form ?? '')
}

describe('GET /api/auth/get-session', () => {
  it('shows the signed-in session without its token (the cookie is HttpOnly so that no script reads it)', async () => {
    const { email, cookie } = await signUpThroughForm(direct)
    const response = await fetch(`${direct.url}/api/auth/get-session`, { headers: { Cookie: cookie } })
    expect(response.status).toBe(200)
    const text = await response.text()
    const body: { user: { id: string }; session: Record<string, unknown> } = JSON.parse(text)
    expect(body.user).toMatchObject({ email })
    expect(body.session).toMatchObject({ userId: body.user.id, expiresAt: expect.any(String) })
    expect(body.session).not.toHaveProperty('token')
    // Nor anywhere else in the body: the cookie's value is the token, a dot and its signature.
    const token = decodeURIComponent(cookie.split('session_token=')[1] ?? '').split('.')[0] ?? ''
    expect(token.length).toBeGreaterThan(20)
    expect(text).not.toContain(token)
  })
})

describe("the verify notice's Dismiss action", () => {
  let cookie: string
  let workspacePage: string
  let fields: [string, string][]
  beforeAll(async () => {
    ;({ cookie } = await signUpThroughForm(direct))
    const dashboard = await fetch(`${direct.url}/dashboard`, { headers: { Cookie: cookie }, redirect: 'manual' })
    workspacePage = new URL(dashboard.headers.get('location') ?? '', direct.url).pathname
    expect(workspacePage).toMatch(/^\/w\/[a-z0-9-]+$/)
    const html = await (await fetch(`${direct.url}${workspacePage}`, { headers: { Cookie: cookie } })).text()
    fields = formWith(html, 'back')
    expect(fields).toContainEqual(['back', workspacePage])
  })

  async function dismiss(back: string): Promise<Response> {
    const form = new FormData()
    for (const [name, value] of fields) form.append(name, name === 'back' ? back : value)
    return fetch(`${direct.url}${workspacePage}`, {
      method: 'POST',
      body: form,
      headers: { Origin: direct.url, Cookie: cookie },
      redirect: 'manual',
    })
  }

  it('goes back to the page it was on', async () => {
    const response = await dismiss(workspacePage)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(workspacePage)
    expect(response.headers.getSetCookie().some((c) => c.startsWith('twofold-verify-notice=dismissed'))).toBe(true)
  })

  it.each([
    '/\\evil.example',
    '/\t/evil.example',
    '//evil.example',
    '/..//evil.example',
    'https://evil.example/',
    '/dashboard\r\nSet-Cookie: stolen=1',
  ])('with back=%j, goes to /dashboard on this site', async (back) => {
    const response = await dismiss(back)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/dashboard')
  })
})

describe('the sign-in action', () => {
  it.each([
    ['/dashboard/settings/tokens?tab=1', '/dashboard/settings/tokens?tab=1'],
    ['/\t/evil.example', '/dashboard'],
    ['/..//evil.example', '/dashboard'],
    ['/\\evil.example', '/dashboard'],
    ['https://evil.example/', '/dashboard'],
    ['/dashboard\r\nSet-Cookie: stolen=1', '/dashboard'],
  ])('after signing in with next=%j, goes to %j on this site', async (next, expected) => {
    const { email } = await signUpThroughForm(direct)
    const response = await submitForm(direct, '/sign-in', { email, password: PASSWORD, next })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(expected)
  })

  it('30 simultaneous wrong guesses: at most 5 are checked, the rest told to wait', async () => {
    const { email } = await signUpThroughForm(behindProxy)
    // Each guess from its own address (the proxy is trusted), so only the per-account budget is in play.
    const pages = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const fields = { email, password: `guess-${i}` }
        const response = await submitForm(behindProxy, '/sign-in', fields, { headers: { 'X-Forwarded-For': `192.0.2.${i + 1}` } })
        expect(response.status).toBe(200)
        return response.text()
      }),
    )
    const wrong = pages.filter((html) => html.includes('Wrong email or password.'))
    const waiting = pages.filter((html) => /Too many attempts\. Try again in \d+ minutes?\./.test(html))
    expect(wrong.length).toBeLessThanOrEqual(5)
    expect(wrong.length + waiting.length).toBe(30)
  })

  it('called with JSON instead of a form, answers VALIDATION, not a server error', async () => {
    const html = await (await fetch(`${direct.url}/sign-in`)).text()
    const reference = hiddenFields(html).find(([name]) => name === '$ACTION_1:0')?.[1] ?? ''
    const actionId: unknown = JSON.parse(reference).id
    expect(actionId).toMatch(/^[0-9a-f]{40,}$/)
    const response = await fetch(`${direct.url}/sign-in`, {
      method: 'POST',
      headers: { 'Next-Action': String(actionId), 'Content-Type': 'text/plain;charset=UTF-8', Origin: direct.url },
      body: JSON.stringify([null, { email: 'someone@example.test', password: PASSWORD }]),
    })
    const body = await response.text()
    expect(response.status).toBe(200)
    expect(body).toContain('"code":"VALIDATION"')
    expect(body).toContain('Expected a form submission.')
    expect(body).not.toContain('INTERNAL')
  })
})
