// Signing up, in and out: input rules, throttling of repeated failures, and Better Auth's errors in our taxonomy.
import { APIError } from 'better-auth/api'
import { z } from 'zod'
import { RateLimited, Unauthenticated, ValidationError } from '../errors'
import { clientIp } from '../http/client-ip'
import type { RateLimiter } from '../http/rate-limit'
import { parseInput } from '../services/parse'
import { emailField, nameField } from '../services/text'
import { type Auth, PASSWORD_MAX, PASSWORD_MIN, withClientIp } from './auth'

export type SignInLimits = {
  /** Sign-in attempts per e-mail address, forgotten on success: slows guessing one account's password. */
  signInFailures: RateLimiter
  /** Sign-in attempts per client IP, a success given back; a larger budget: slows trying one password on many accounts. */
  signInFailuresByIp: RateLimiter
  /** New accounts per client IP. */
  signUps: RateLimiter
}

export type AccountDeps = { auth: Auth; limits: SignInLimits; headers: Headers }

const Email = emailField()

const Password = z
  .string({ error: 'Password is required.' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`)

export const SignUpInput = z.object({ name: nameField('Name', 100), email: Email, password: Password })
export const SignInInput = z.object({
  email: Email,
  password: z.string({ error: 'Password is required.' }).min(1, 'Password is required.').max(PASSWORD_MAX),
})

const WRONG_CREDENTIALS = 'Wrong email or password.'

/**
 * Better Auth's expected failures (wrong password, taken address). Checked by name as well as class: once
 * bundled, the class thrown and the class imported here can be two copies, and instanceof misses.
 */
function authFailureCode(error: unknown): string | null {
  const isApiError = error instanceof APIError || (error instanceof Error && error.name === 'APIError')
  if (!isApiError) return null
  const body: unknown = 'body' in error ? error.body : undefined
  const code = typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined
  return typeof code === 'string' ? code : ''
}

function tooManyAttempts(error: RateLimited): RateLimited {
  const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60))
  return new RateLimited(error.retryAfterSeconds, `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)
}

async function throttled<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof RateLimited) throw tooManyAttempts(error)
    throw error
  }
}

/** Creates the account and signs it in (the session cookie is set by Better Auth's nextCookies plugin). */
export async function signUp(deps: AccountDeps, input: unknown): Promise<{ userId: string }> {
  const { name, email, password } = parseInput(SignUpInput, input)
  await throttled(() => deps.limits.signUps.consume(clientIp(deps.headers)))
  try {
    const { user } = await deps.auth.api.signUpEmail({ body: { name, email, password }, headers: withClientIp(deps.headers) })
    return { userId: user.id }
  } catch (error) {
    const code = authFailureCode(error) ?? ''
    if (code.startsWith('USER_ALREADY_EXISTS')) {
      throw new ValidationError({ email: ['An account with this email already exists.'] })
    }
    if (code.startsWith('PASSWORD_TOO'))
      throw new ValidationError({ password: [`Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`] })
    throw error
  }
}

/**
 * Signs in. Every attempt is charged against the address and, with a larger budget, the client IP BEFORE the
 * password is checked, so simultaneous guesses cannot all slip in under the limit; a success gives the charge back
 * and forgets the address's failures. So neither guessing one account's password nor trying one password on many
 * accounts gets far. The failure that uses up a budget already answers "too many attempts", so the person learns at once.
 * The client is charged first: once it is refused, its attempts touch no per-address counter, so a throttled client
 * walking a list of addresses adds no row per address to `rate_limits`.
 */
export async function signIn(deps: AccountDeps, input: unknown): Promise<{ userId: string }> {
  const { email, password } = parseInput(SignInInput, input)
  const emailKey = `email:${email}`
  const ipKey = clientIp(deps.headers)
  const { signInFailures, signInFailuresByIp } = deps.limits
  const states = await throttled(async () => {
    const byIp = await signInFailuresByIp.consume(ipKey)
    return [byIp, await signInFailures.consume(emailKey)]
  })
  let userId: string
  try {
    const { user } = await deps.auth.api.signInEmail({ body: { email, password }, headers: withClientIp(deps.headers) })
    userId = user.id
  } catch (error) {
    if (authFailureCode(error) === null) throw error
    const usedUp = states.find((state) => state.remaining === 0)
    if (usedUp) throw tooManyAttempts(new RateLimited(Math.max(1, usedUp.resetSeconds)))
    // The same message whether the address is unknown or the password wrong: no hint which accounts exist.
    throw new Unauthenticated(WRONG_CREDENTIALS)
  }
  await Promise.all([signInFailures.reset(emailKey), signInFailuresByIp.refund(ipKey)])
  return { userId }
}

export async function signOut(deps: Pick<AccountDeps, 'auth' | 'headers'>): Promise<void> {
  await deps.auth.api.signOut({ headers: withClientIp(deps.headers) })
}
