// Sign-in providers besides the password: GitHub, Google and one OpenID Connect issuer, as Better Auth options.
import type { BetterAuthOptions } from 'better-auth'
import { genericOAuth } from 'better-auth/plugins/generic-oauth'
import type { OAuthConfig } from '../config'

/** Every provider id the app knows; each one's callback is `/api/auth/callback/{id}`. */
export const OAUTH_PROVIDER_IDS = ['github', 'google', 'oidc'] as const
export type OAuthProviderId = (typeof OAUTH_PROVIDER_IDS)[number]

export type OAuthProvider = { id: OAuthProviderId; name: string }

/** The providers to offer, in the order of their buttons: only those configured. */
export function configuredProviders(oauth: OAuthConfig): OAuthProvider[] {
  const providers: OAuthProvider[] = []
  if (oauth.github) providers.push({ id: 'github', name: 'GitHub' })
  if (oauth.google) providers.push({ id: 'google', name: 'Google' })
  if (oauth.oidc) providers.push({ id: 'oidc', name: oauth.oidc.name })
  return providers
}

/**
 * Where a browser is sent to consent, for the pages' `form-action`: with JavaScript off, the sign-in form's answer
 * is a redirect to the provider, and Chromium holds every redirect of a form submission to that directive.
 */
export function providerOrigins(oauth: OAuthConfig): string[] {
  const origins: string[] = []
  if (oauth.github) origins.push('https://github.com')
  if (oauth.google) origins.push('https://accounts.google.com')
  if (oauth.oidc) origins.push(new URL(oauth.oidc.issuer).origin)
  return origins
}

/**
 * What createAuth spreads into Better Auth's options (the generic plugin goes into its plugin list).
 *
 * Linking: an OAuth sign-in whose address already has an account joins it only when the provider says it verified
 * the address (`email_verified`) AND the account's own address is verified (Better Auth's requireLocalEmailVerified,
 * on by default). No provider is trusted beyond its claim (`trustedProviders` stays empty): a provider that lets
 * people enter any address unverified would otherwise hand over the account holding it. The other case, an
 * unverified local account at the victim's address pre-registered by an attacker, is what the second rule stops.
 */
export function oauthOptions(oauth: OAuthConfig) {
  const socialProviders: NonNullable<BetterAuthOptions['socialProviders']> = {}
  if (oauth.github) socialProviders.github = { ...oauth.github }
  // select_account: someone signed in to several Google accounts chooses, rather than getting the last one used.
  if (oauth.google) socialProviders.google = { ...oauth.google, prompt: 'select_account' }
  const account = {
    accountLinking: { enabled: true, trustedProviders: [], allowDifferentEmails: false, updateUserInfoOnLink: false },
  } satisfies BetterAuthOptions['account']
  const plugins = oauth.oidc
    ? [
        genericOAuth({
          config: [
            {
              providerId: 'oidc',
              name: oauth.oidc.name,
              discoveryUrl: `${oauth.oidc.issuer}/.well-known/openid-configuration`,
              clientId: oauth.oidc.clientId,
              clientSecret: oauth.oidc.clientSecret,
              scopes: ['openid', 'email', 'profile'],
              pkce: true,
              // The identity must come from an ID token signed by the issuer's keys, never from an unsigned answer.
              requireIdTokenVerification: true,
            },
          ],
        }),
      ]
    : []
  return { socialProviders, account, plugins }
}
