// OAuth sign-in through real Better Auth, our /api/auth handler and a real OpenID Connect provider (oauth2-mock-server
// on loopback): the whole redirect → consent → callback exchange over HTTP, each failure landing on /sign-in with a
// code the page has words for, and the linking rule (a provider's address joins an existing account only verified).
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { OAuth2Server } from 'oauth2-mock-server'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { signIn } from '../../src/server/auth/accounts'
import { createAuth } from '../../src/server/auth/auth'
import { authHttpHandler } from '../../src/server/auth/http-surface'
import { oauthErrorMessage, startOAuthSignIn } from '../../src/server/auth/oauth'
import type { OAuthConfig } from '../../src/server/config'
import type { Database } from '../../src/server/db/client'
import { account, memberships, session, user } from '../../src/server/db/schema'
import { RateLimited, Unauthenticated, Unavailable, ValidationError } from '../../src/server/errors'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import { hasPassword } from '../../src/server/services/credentials'
import { createTestDatabase } from '../support/db'
import { cookieHeaderFrom } from '../support/forms'

const APP = 'http://localhost:3000'
const SECRET = 'a'.repeat(32)
let database: Database
let provider: OAuth2Server
let oauth: OAuthConfig
let auth: ReturnType<typeof createAuth>
let handle: (request: Request) => Promise<Response>

/** What the provider says about the person signing in next: put into the ID token it signs. */
type Claims = { sub: string; email?: string; email_verified?: boolean; name?: string; [claim: string]: unknown }
let claims: Claims

beforeAll(async () => {
  database = await createTestDatabase()
  provider = new OAuth2Server()
  await provider.issuer.keys.generate('RS256')
  await provider.start(0, '127.0.0.1')
  const issuer = provider.issuer.url ?? ''
  provider.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => Object.assign(token.payload, claims))
  oauth = { github: null, google: null, oidc: { issuer, clientId: 'twofold-test', clientSecret: 'test-secret', name: 'Acme SSO' } }
  auth = createAuth(database.db, { appUrl: APP, authSecret: SECRET, env: 'test', oauth })
  handle = authHttpHandler(auth)
})
afterAll(async () => {
  await provider.stop()
  await database.close()
})
beforeEach(() => {
  provider.service.removeAllListeners('beforeAuthorizeRedirect')
  provider.service.removeAllListeners('beforeResponse')
})

const someone = (): Claims => {
  const id = randomUUID().slice(0, 8)
  return { sub: `sub-${id}`, email: `oidc-${id}@example.test`, email_verified: true, name: `Oidc ${id}` }
}

const cookiesOf = (response: Response) => cookieHeaderFrom(response.headers)

/** Starts a flow as the sign-in action does: the provider's URL, and the state cookie the browser now holds. */
async function begin(): Promise<{ authorizeUrl: string; cookie: string }> {
  const response = await auth.api.signInSocial({
    body: {
      provider: 'oidc',
      callbackURL: `${APP}/dashboard`,
      errorCallbackURL: `${APP}/sign-in?next=%2Fdashboard`,
      disableRedirect: true,
    },
    headers: new Headers(),
    asResponse: true,
  })
  const { url } = (await response.json()) as { url: string }
  return { authorizeUrl: url, cookie: cookiesOf(response) }
}

/** The browser at the provider: consent is given at once, and the provider redirects back with a code (or not). */
async function consent(authorizeUrl: string): Promise<URL> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' })
  expect(response.status).toBe(302)
  return new URL(response.headers.get('location') ?? '')
}

/** The browser back at our callback with its cookies; the answer is always a redirect. */
async function callback(url: URL, cookie: string): Promise<{ location: URL; cookie: string }> {
  expect(url.origin + url.pathname).toBe(`${APP}/api/auth/callback/oidc`)
  const response = await handle(new Request(url, { headers: { cookie } }))
  expect([302, 303]).toContain(response.status)
  return { location: new URL(response.headers.get('location') ?? '', APP), cookie: cookiesOf(response) }
}

async function signInWithProvider(person: Claims) {
  claims = person
  const { authorizeUrl, cookie } = await begin()
  return callback(await consent(authorizeUrl), cookie)
}

const usersWithEmail = (email: string) => database.db.select().from(user).where(eq(user.email, email))
const accountsOf = (userId: string) => database.db.select().from(account).where(eq(account.userId, userId))

function expectLandedWithError(location: URL, code: string) {
  expect(location.pathname).toBe('/sign-in')
  expect(location.searchParams.get('error')).toBe(code)
  // The page has its own words for every code a callback produces: none falls back to the general message.
  expect(oauthErrorMessage(code)).not.toBe(oauthErrorMessage('something-else'))
}

describe('signing in with an OpenID Connect provider', () => {
  test('a new person: consent, callback, a session, an account with the verified address and a personal workspace', async () => {
    const person = someone()
    const { location, cookie } = await signInWithProvider(person)
    expect(location.href).toBe(`${APP}/dashboard`)
    expect(cookie).toMatch(/better-auth\.session_token=/)

    const [created] = await usersWithEmail(person.email ?? '')
    expect(created).toMatchObject({ name: person.name, emailVerified: true })
    const id = created?.id ?? ''
    expect((await accountsOf(id)).map((a) => [a.providerId, a.accountId])).toEqual([['oidc', person.sub]])
    expect(await database.db.select().from(memberships).where(eq(memberships.userId, id))).toEqual([
      expect.objectContaining({ role: 'owner' }),
    ])
    expect(await database.db.select().from(session).where(eq(session.userId, id))).toHaveLength(1)
  })

  test('the same person again: the same account, no second user, account or workspace', async () => {
    const person = someone()
    await signInWithProvider(person)
    const [first] = await usersWithEmail(person.email ?? '')
    const { location } = await signInWithProvider(person)
    expect(location.href).toBe(`${APP}/dashboard`)
    const again = await usersWithEmail(person.email ?? '')
    expect(again.map((u) => u.id)).toEqual([first?.id])
    expect(await accountsOf(first?.id ?? '')).toHaveLength(1)
    expect(
      await database.db
        .select()
        .from(memberships)
        .where(eq(memberships.userId, first?.id ?? '')),
    ).toHaveLength(1)
  })

  test('an OAuth-only account has no password: password sign-in gives the usual answer, nothing else', async () => {
    const person = someone()
    await signInWithProvider(person)
    const [created] = await usersWithEmail(person.email ?? '')
    expect(await hasPassword(database.db, created?.id ?? '')).toBe(false)
    const limits = {
      signInFailures: createRateLimiter(database.db, { name: 't-o-sign-in', points: 5, durationSeconds: 900 }),
      signInFailuresByIp: createRateLimiter(database.db, { name: 't-o-sign-in-ip', points: 50, durationSeconds: 900 }),
      signUps: createRateLimiter(database.db, { name: 't-o-sign-up', points: 5, durationSeconds: 900 }),
    }
    const attempt = signIn({ auth, limits, headers: new Headers() }, { email: person.email, password: 'any password at all' })
    await expect(attempt).rejects.toEqual(new Unauthenticated('Wrong email or password.'))
  })
})

describe('a failed callback lands on /sign-in with a code the page explains', () => {
  test('the provider reports denied consent (access_denied): no user is made', async () => {
    const person = someone()
    provider.service.once('beforeAuthorizeRedirect', ({ url }: { url: URL }) => {
      url.searchParams.delete('code')
      url.searchParams.set('error', 'access_denied')
      url.searchParams.set('error_description', '<script>raw provider text</script>')
    })
    const { location, cookie } = await signInWithProvider(person)
    expectLandedWithError(location, 'access_denied')
    expect(location.searchParams.get('next')).toBe('/dashboard')
    expect(cookie).not.toMatch(/session_token=[^;]/)
    expect(await usersWithEmail(person.email ?? '')).toEqual([])
    expect(oauthErrorMessage('access_denied')).not.toContain('script')
  })

  test('a tampered state is refused before any code is exchanged', async () => {
    claims = someone()
    const { authorizeUrl, cookie } = await begin()
    const back = await consent(authorizeUrl)
    back.searchParams.set('state', `${back.searchParams.get('state')}x`)
    let exchanged = false
    provider.service.once('beforeResponse', () => {
      exchanged = true
    })
    expectLandedWithError((await callback(back, cookie)).location, 'state_mismatch')
    expect(exchanged).toBe(false)
    expect(await usersWithEmail(claims.email ?? '')).toEqual([])
  })

  test("another flow's valid state with this browser's cookie is refused (login CSRF)", async () => {
    claims = someone()
    const mine = await begin()
    const theirs = await begin()
    const back = await consent(theirs.authorizeUrl)
    // Better Auth reports the cookie that does not match as state_mismatch too.
    expectLandedWithError((await callback(back, mine.cookie)).location, 'state_mismatch')
    expect(await usersWithEmail(claims.email ?? '')).toEqual([])
  })

  test('a callback replayed after it was used: its state is spent', async () => {
    claims = someone()
    const { authorizeUrl, cookie } = await begin()
    const back = await consent(authorizeUrl)
    expect((await callback(back, cookie)).location.href).toBe(`${APP}/dashboard`)
    expectLandedWithError((await callback(back, cookie)).location, 'state_mismatch')
  })

  test('a replayed code with a fresh state: the provider refuses it, no session', async () => {
    const person = someone()
    claims = person
    const first = await begin()
    const firstBack = await consent(first.authorizeUrl)
    await callback(firstBack, first.cookie)
    const second = await begin()
    const secondBack = await consent(second.authorizeUrl)
    secondBack.searchParams.set('code', firstBack.searchParams.get('code') ?? '')
    const { location, cookie } = await callback(secondBack, second.cookie)
    expectLandedWithError(location, 'invalid_code')
    expect(cookie).not.toMatch(/session_token=[^;]/)
  })

  test('the provider failing at its token endpoint (down, 503)', async () => {
    provider.service.once('beforeResponse', (response: { statusCode: number; body: unknown }) => {
      response.statusCode = 503
      response.body = { error: 'temporarily_unavailable' }
    })
    expectLandedWithError((await signInWithProvider(someone())).location, 'invalid_code')
  })

  test.each([
    ['for another client', { aud: 'someone-else' }],
    ['with another nonce', { nonce: 'not-the-one-we-sent' }],
    ['from another issuer', { iss: 'https://evil.example' }],
  ])('an ID token %s is refused: no user is made', async (_, forged) => {
    const person = { ...someone(), ...forged }
    expectLandedWithError((await signInWithProvider(person)).location, 'unable_to_get_user_info')
    expect(await usersWithEmail(person.email ?? '')).toEqual([])
  })

  test('an ID token without an address', async () => {
    const { email: _, ...withoutEmail } = someone()
    // Neither the ID token nor the userinfo answer (the mock's: a bare sub) names an address.
    expectLandedWithError((await signInWithProvider(withoutEmail)).location, 'unable_to_get_user_info')
  })
})

describe('linking to an existing account: only for an address the provider verified', () => {
  /** A password account for `email`, its address verified here (as the verification e-mail would). */
  async function passwordAccount(email: string, verified: boolean): Promise<string> {
    const { user: made } = await auth.api.signUpEmail({ body: { name: 'Owner', email, password: 'correct horse battery' } })
    if (verified) await database.db.update(user).set({ emailVerified: true }).where(eq(user.id, made.id))
    return made.id
  }

  test('the provider says email_verified false: not linked, no session, the password account untouched', async () => {
    const person = { ...someone(), email_verified: false }
    const ownerId = await passwordAccount(person.email ?? '', true)
    const { location, cookie } = await signInWithProvider(person)
    expectLandedWithError(location, 'account_not_linked')
    expect(cookie).not.toMatch(/session_token=[^;]/)
    expect((await accountsOf(ownerId)).map((a) => a.providerId)).toEqual(['credential'])
    expect((await usersWithEmail(person.email ?? '')).map((u) => u.id)).toEqual([ownerId])
  })

  test('email_verified false as the string "false" is not verified either', async () => {
    const person = { ...someone(), email_verified: 'false' as unknown as boolean }
    const ownerId = await passwordAccount(person.email ?? '', true)
    expectLandedWithError((await signInWithProvider(person)).location, 'account_not_linked')
    expect((await accountsOf(ownerId)).map((a) => a.providerId)).toEqual(['credential'])
  })

  test('verified at the provider but not here (an address someone else may have registered): not linked', async () => {
    const person = someone()
    const ownerId = await passwordAccount(person.email ?? '', false)
    expectLandedWithError((await signInWithProvider(person)).location, 'account_not_linked')
    expect((await accountsOf(ownerId)).map((a) => a.providerId)).toEqual(['credential'])
  })

  test('verified at both: linked to the existing account, which keeps its password and gets no second workspace', async () => {
    const person = someone()
    const ownerId = await passwordAccount(person.email ?? '', true)
    const { location } = await signInWithProvider(person)
    expect(location.href).toBe(`${APP}/dashboard`)
    expect((await accountsOf(ownerId)).map((a) => a.providerId).sort()).toEqual(['credential', 'oidc'])
    expect(await hasPassword(database.db, ownerId)).toBe(true)
    expect(await database.db.select().from(memberships).where(eq(memberships.userId, ownerId))).toHaveLength(1)
  })
})

describe('starting a flow (the sign-in buttons’ action)', () => {
  const deps = (overrides: Partial<Parameters<typeof startOAuthSignIn>[0]> = {}) => ({
    auth,
    oauth,
    appUrl: APP,
    oauthStarts: createRateLimiter(database.db, { name: `t-oauth-${randomUUID()}`, points: 3, durationSeconds: 900 }),
    headers: new Headers({ 'x-twofold-peer-address': '203.0.113.7' }),
    ...overrides,
  })

  test("answers the provider's authorization URL: our callback, a state, PKCE (S256) and an OpenID nonce", async () => {
    const { url } = await startOAuthSignIn(deps(), { provider: 'oidc', next: '/w/acme' })
    const target = new URL(url)
    expect(`${target.origin}${target.pathname}`).toBe(`${oauth.oidc?.issuer}/authorize`)
    expect(Object.fromEntries(target.searchParams)).toMatchObject({
      client_id: 'twofold-test',
      redirect_uri: `${APP}/api/auth/callback/oidc`,
      response_type: 'code',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^.{32,}$/),
      nonce: expect.any(String),
      code_challenge: expect.any(String),
    })
    expect(target.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email', 'profile']))
  })

  test.each([
    [{ provider: 'github' }, 'This sign-in provider is not available.'],
    [{ provider: 'apple' }, 'Choose a sign-in provider.'],
    [{}, 'Choose a sign-in provider.'],
  ])('%j is a field error on provider', async (input, message) => {
    const error = await startOAuthSignIn(deps(), input).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fieldErrors).toEqual({ provider: [message] })
  })

  test('is throttled per client address', async () => {
    const shared = deps()
    for (let i = 0; i < 3; i++) await startOAuthSignIn(shared, { provider: 'oidc' })
    const error = await startOAuthSignIn(shared, { provider: 'oidc' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimited)
    expect((error as RateLimited).message).toBe('Too many sign-in attempts. Try again later.')
  })

  test('an issuer that cannot be reached is UNAVAILABLE, not a crash', async () => {
    const down: OAuthConfig = {
      github: null,
      google: null,
      oidc: { issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y', name: 'Down' },
    }
    const downAuth = createAuth(database.db, { appUrl: APP, authSecret: SECRET, env: 'test', oauth: down })
    const error = await startOAuthSignIn(deps({ auth: downAuth, oauth: down }), { provider: 'oidc' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Unavailable)
  })
})

describe('the sign-in page’s messages', () => {
  test.each([
    [undefined, null],
    ['', null],
    [['access_denied'], null],
  ])('%j shows nothing', (code, expected) => {
    expect(oauthErrorMessage(code)).toBe(expected)
  })

  test('an unknown code (or raw provider text) gets the general message, never itself', () => {
    const general = 'Signing in with the provider did not complete. Please start again.'
    for (const code of ['<b>pwned</b>', '__proto__', 'constructor', 'toString', 'invalid_grant: stack at x.js:1']) {
      expect(oauthErrorMessage(code)).toBe(general)
    }
  })
})
