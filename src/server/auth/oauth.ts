// OAuth sign-in: starting a provider's flow from our form, and what the sign-in page says when one fails.
import { z } from 'zod'
import type { OAuthConfig } from '../config'
import { RateLimited, Unavailable, ValidationError } from '../errors'
import { clientIp } from '../http/client-ip'
import type { RateLimiter } from '../http/rate-limit'
import { parseInput } from '../services/parse'
import { type Auth, withClientIp } from './auth'
import { configuredProviders, OAUTH_PROVIDER_IDS } from './providers'
import { safeReturnPath } from './return-path'

export type OAuthStartDeps = {
  auth: Auth
  oauth: OAuthConfig
  appUrl: string
  /** Flows started per client IP: each one writes a state row before anyone has signed in. */
  oauthStarts: RateLimiter
  headers: Headers
}

const OAuthStartInput = z.object({
  provider: z.enum(OAUTH_PROVIDER_IDS, { error: 'Choose a sign-in provider.' }),
  next: z.string().max(2000).optional(),
})

/**
 * Begins signing in with a provider: Better Auth stores the flow's state (with its PKCE verifier and, for OpenID
 * Connect, the nonce) and sets the state cookie through nextCookies; we answer the provider's URL for the caller to
 * redirect to. Success returns to `next` (a path on this site only); every failure returns to the sign-in page.
 */
export async function startOAuthSignIn(deps: OAuthStartDeps, input: unknown): Promise<{ url: string }> {
  const { provider, next } = parseInput(OAuthStartInput, input)
  if (!configuredProviders(deps.oauth).some((p) => p.id === provider)) {
    throw new ValidationError({ provider: ['This sign-in provider is not available.'] })
  }
  try {
    await deps.oauthStarts.consume(clientIp(deps.headers))
  } catch (error) {
    if (error instanceof RateLimited) throw new RateLimited(error.retryAfterSeconds, 'Too many sign-in attempts. Try again later.')
    throw error
  }
  const returnTo = safeReturnPath(next, deps.appUrl)
  const body = {
    provider,
    callbackURL: `${deps.appUrl}${returnTo}`,
    errorCallbackURL: `${deps.appUrl}/sign-in?next=${encodeURIComponent(returnTo)}`,
    disableRedirect: true,
  }
  let url: string | undefined
  try {
    ;({ url } = await deps.auth.api.signInSocial({ body, headers: withClientIp(deps.headers) }))
  } catch (error) {
    // The one expected failure: an OpenID Connect issuer whose discovery document could not be read (Better Auth
    // retries it on each start, and knows no such provider until it succeeds).
    if (isProviderNotFound(error)) throw new Unavailable(30, { cause: error })
    throw error
  }
  if (!url) throw new Error(`signInSocial returned no URL for ${provider}`)
  return { url }
}

function isProviderNotFound(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'APIError' || !('body' in error)) return false
  const body = error.body
  return typeof body === 'object' && body !== null && 'code' in body && body.code === 'PROVIDER_NOT_FOUND'
}

const START_AGAIN = 'Please start again.'
const STATE_REFUSED = `That sign-in could not be matched to one started in this browser (it may have expired, been used already, or been started elsewhere). ${START_AGAIN}`

/**
 * The sign-in page's words for each `?error=` an OAuth callback can land with. A fixed map: the code comes from the
 * URL (anyone can write one) or from the provider, so its text is never shown, only what we wrote for it.
 */
const OAUTH_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  access_denied: 'Sign-in was cancelled at the provider. Nothing was changed.',
  // Better Auth reports every state failure as one of these (a state cookie from another flow, too).
  state_not_found: STATE_REFUSED,
  state_mismatch: STATE_REFUSED,
  state_invalid: STATE_REFUSED,
  invalid_callback_request: `The provider sent back an answer we could not read. ${START_AGAIN}`,
  no_code: `The provider sent back no sign-in code. ${START_AGAIN}`,
  invalid_code: `The provider did not accept the sign-in code (it may have been used already or expired, or the provider did not answer). ${START_AGAIN}`,
  issuer_mismatch: `The answer did not come from the provider we asked. ${START_AGAIN}`,
  nonce_binding_missing: `We could not verify the provider's answer. ${START_AGAIN}`,
  unable_to_get_user_info: `We could not verify who you are with the provider. ${START_AGAIN}`,
  email_not_found: 'The provider did not share an email address with us, so we cannot sign you in with it.',
  account_not_linked:
    'An account with this email address already exists. Sign in with your password: we connect a provider to an existing account only when both the provider and this site have verified the address.',
  oauth_provider_not_found: 'That sign-in provider is not available.',
  server_error: `Something went wrong on our side while signing you in. ${START_AGAIN}`,
}

const FALLBACK = `Signing in with the provider did not complete. ${START_AGAIN}`

/** The message for an OAuth `?error=` code, or null when there is none; unknown codes get a general message. */
export function oauthErrorMessage(code: unknown): string | null {
  if (typeof code !== 'string' || code === '') return null
  return Object.hasOwn(OAUTH_ERROR_MESSAGES, code) ? (OAUTH_ERROR_MESSAGES[code] ?? FALLBACK) : FALLBACK
}
