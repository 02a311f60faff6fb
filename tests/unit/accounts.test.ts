// Accounts through real Better Auth on a real database: sign-up rules, one message for every wrong
// credential, throttling of repeated failures (also when they arrive all at once), and secure cookies.
import { randomUUID } from 'node:crypto'
import { eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type AccountDeps, signIn, signUp } from '../../src/server/auth/accounts'
import { createAuth } from '../../src/server/auth/auth'
import type { Database } from '../../src/server/db/client'
import { rateLimits, session } from '../../src/server/db/schema'
import { RateLimited, Unauthenticated, ValidationError } from '../../src/server/errors'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import { createTestDatabase } from '../support/db'

let database: Database
let deps: (ip: string) => AccountDeps

beforeAll(async () => {
  database = await createTestDatabase()
  const auth = createAuth(database.db, { appUrl: 'http://localhost:3000', authSecret: 'a'.repeat(32), env: 'test' })
  // Fresh, small budgets for this file, counted in the same database as production's.
  const limits = {
    signInFailures: createRateLimiter(database.db, { name: 't-sign-in', points: 5, durationSeconds: 900 }),
    signInFailuresByIp: createRateLimiter(database.db, { name: 't-sign-in-ip', points: 8, durationSeconds: 900 }),
    signUps: createRateLimiter(database.db, { name: 't-sign-up', points: 3, durationSeconds: 3600 }),
  }
  deps = (ip) => ({ auth, limits, headers: new Headers({ 'x-twofold-peer-address': ip }) })
})
afterAll(() => database.close())

const newEmail = () => `person-${randomUUID().slice(0, 8)}@example.test`
const password = 'correct horse battery'

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )
}

describe('signing up', () => {
  test('creates an account that can then sign in; the address is stored lower-cased', async () => {
    const email = newEmail()
    const { userId } = await signUp(deps('10.0.0.1'), { name: 'Ada', email: `  ${email.toUpperCase()} `, password })
    expect(await signIn(deps('10.0.0.1'), { email, password })).toEqual({ userId })
  })

  test('reports every bad field at once', async () => {
    const error = await failure(signUp(deps('10.0.0.2'), { name: ' ', email: 'nope', password: 'short' }))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fieldErrors).toEqual({
      name: ['Name is required.'],
      email: ['Enter a valid email address.'],
      password: ['Password must be at least 8 characters.'],
    })
  })

  test('a taken address is a field error on email', async () => {
    const email = newEmail()
    await signUp(deps('10.0.0.3'), { name: 'First', email, password })
    const error = await failure(signUp(deps('10.0.0.3'), { name: 'Second', email, password }))
    expect((error as ValidationError).fieldErrors).toEqual({ email: ['An account with this email already exists.'] })
  })

  test('too many sign-ups from one address are refused', async () => {
    const ip = '10.0.0.4'
    for (let i = 0; i < 3; i++) await signUp(deps(ip), { name: 'Bot', email: newEmail(), password })
    const error = await failure(signUp(deps(ip), { name: 'Bot', email: newEmail(), password }))
    expect(error).toBeInstanceOf(RateLimited)
    expect((error as Error).message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/)
  })
})

describe('signing in', () => {
  test('a wrong password and an unknown address get the very same error', async () => {
    const email = newEmail()
    await signUp(deps('10.0.1.1'), { name: 'Grace', email, password })
    const wrong = await failure(signIn(deps('10.0.1.1'), { email, password: 'not the password' }))
    const unknown = await failure(signIn(deps('10.0.1.1'), { email: newEmail(), password }))
    expect(wrong).toBeInstanceOf(Unauthenticated)
    expect(unknown).toBeInstanceOf(Unauthenticated)
    expect((wrong as Error).message).toBe('Wrong email or password.')
    expect((unknown as Error).message).toBe((wrong as Error).message)
  })

  test('the fifth failure on one address locks it, even for the right password, from any IP', async () => {
    const email = newEmail()
    await signUp(deps('10.0.2.1'), { name: 'Target', email, password })
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await failure(signIn(deps(`10.0.2.${attempt + 1}`), { email, password: `guess-${attempt}` }))).toBeInstanceOf(Unauthenticated)
    }
    expect(await failure(signIn(deps('10.0.2.9'), { email, password: 'guess-5' }))).toBeInstanceOf(RateLimited)
    const locked = await failure(signIn(deps('10.0.2.10'), { email, password }))
    expect(locked).toBeInstanceOf(RateLimited)
    expect((locked as RateLimited).retryAfterSeconds).toBeGreaterThan(800)
  })

  test('one IP trying many addresses is stopped by the per-IP budget', async () => {
    const ip = '10.0.3.1'
    const results = []
    for (let i = 0; i < 9; i++) results.push(await failure(signIn(deps(ip), { email: newEmail(), password })))
    expect(results.slice(0, 7).every((e) => e instanceof Unauthenticated)).toBe(true)
    expect(results.slice(7).every((e) => e instanceof RateLimited)).toBe(true)
    // Someone else, elsewhere, is unaffected.
    const email = newEmail()
    await signUp(deps('10.0.3.2'), { name: 'Elsewhere', email, password })
    await expect(signIn(deps('10.0.3.2'), { email, password })).resolves.toHaveProperty('userId')
  })

  test('a client already refused adds no row per address it goes on to try (30 attempts: 8 address rows, not 30)', async () => {
    const ip = '10.0.3.9'
    const marker = randomUUID().slice(0, 8)
    for (let i = 0; i < 30; i++) await failure(signIn(deps(ip), { email: `walk-${marker}-${i}@example.test`, password }))
    const addressRows = await database.db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(like(rateLimits.key, `t-sign-in:email:walk-${marker}-%`))
    // The per-IP budget is 8: the ninth attempt on is refused before any address is counted.
    expect(addressRows).toHaveLength(8)
    expect(
      await database.db
        .select({ key: rateLimits.key })
        .from(rateLimits)
        .where(eq(rateLimits.key, `t-sign-in-ip:${ip}`)),
    ).toHaveLength(1)
  })

  test('a success forgets the address’s earlier failures', async () => {
    const email = newEmail()
    await signUp(deps('10.0.4.1'), { name: 'Forgetful', email, password })
    for (let i = 0; i < 4; i++) await failure(signIn(deps('10.0.4.1'), { email, password: 'oops-oops' }))
    await signIn(deps('10.0.4.1'), { email, password })
    for (let i = 0; i < 4; i++) {
      expect(await failure(signIn(deps('10.0.4.2'), { email, password: 'oops-again' }))).toBeInstanceOf(Unauthenticated)
    }
  })

  test('30 simultaneous wrong guesses: at most 5 are checked, the rest are refused; then even the right password is', async () => {
    const email = newEmail()
    await signUp(deps('10.0.5.1'), { name: 'Raced', email, password })
    const guesses = Array.from({ length: 30 }, (_, i) => failure(signIn(deps(`10.0.5.${i + 2}`), { email, password: `guess-${i}` })))
    const errors = await Promise.all(guesses)
    const wrong = errors.filter((e) => e instanceof Unauthenticated)
    const limited = errors.filter((e) => e instanceof RateLimited)
    expect(wrong.length + limited.length).toBe(30)
    expect(wrong.length).toBeLessThanOrEqual(5)
    expect(limited.every((e) => /^Too many attempts\. Try again in \d+ minutes?\.$/.test(e.message))).toBe(true)
    const locked = await failure(signIn(deps('10.0.5.99'), { email, password }))
    expect(locked).toBeInstanceOf(RateLimited)
  })

  test('successful sign-ins do not use up the IP’s budget (an office behind one address keeps signing in)', async () => {
    const ip = '10.0.6.1'
    const email = newEmail()
    await signUp(deps(ip), { name: 'Office', email, password })
    // Twice the per-IP budget of 8.
    for (let i = 0; i < 16; i++) await signIn(deps(ip), { email, password })
    for (let i = 0; i < 4; i++) {
      expect(await failure(signIn(deps(ip), { email: newEmail(), password }))).toBeInstanceOf(Unauthenticated)
    }
  })
})

describe('the client address Better Auth records', () => {
  test('is ours (the peer), not the X-Forwarded-For the client sent', async () => {
    const email = newEmail()
    const headers = new Headers({ 'x-twofold-peer-address': '203.0.113.50', 'x-forwarded-for': '6.6.6.6' })
    const { userId } = await signUp({ ...deps('unused'), headers }, { name: 'Recorded', email, password })
    const rows = await database.db.select({ ip: session.ipAddress }).from(session).where(eq(session.userId, userId))
    expect(rows).toEqual([{ ip: '203.0.113.50' }])
  })
})

describe('session cookies', () => {
  async function sessionCookie(appUrl: string): Promise<string> {
    const auth = createAuth(database.db, { appUrl, authSecret: 'a'.repeat(32), env: 'test' })
    const response = await auth.api.signUpEmail({
      body: { name: 'Cookie', email: newEmail(), password },
      headers: new Headers(),
      asResponse: true,
    })
    return response.headers.getSetCookie().find((cookie) => cookie.includes('session_token=')) ?? ''
  }

  test('are __Secure- prefixed and Secure when APP_URL is https', async () => {
    const cookie = await sessionCookie('https://app.example.test')
    expect(cookie).toMatch(/^__Secure-better-auth\.session_token=/)
    expect(cookie).toMatch(/; Secure(;|$)/i)
    expect(cookie).toMatch(/; HttpOnly(;|$)/i)
  })

  test('are neither when APP_URL is http (local development)', async () => {
    const cookie = await sessionCookie('http://localhost:3000')
    expect(cookie).toMatch(/^better-auth\.session_token=/)
    expect(cookie).not.toMatch(/; Secure(;|$)/i)
  })
})
