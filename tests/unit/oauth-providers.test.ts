// Which providers are offered, what Better Auth is told about linking, and where the sign-in forms may redirect.
import { describe, expect, test } from 'vitest'
import { configuredProviders, oauthOptions, providerOrigins } from '../../src/server/auth/providers'
import type { OAuthConfig } from '../../src/server/config'
import { contentSecurityPolicy } from '../../src/server/http/security-headers'

const none: OAuthConfig = { github: null, google: null, oidc: null }
const all: OAuthConfig = {
  github: { clientId: 'gh', clientSecret: 's' },
  google: { clientId: 'g', clientSecret: 's' },
  oidc: { issuer: 'https://login.example.com/realms/acme', clientId: 'c', clientSecret: 's', name: 'Acme SSO' },
}

describe('OAuth providers', () => {
  test('a button only for each configured provider', () => {
    expect(configuredProviders(none)).toEqual([])
    expect(configuredProviders({ ...none, google: all.google })).toEqual([{ id: 'google', name: 'Google' }])
    expect(configuredProviders(all).map((p) => `${p.id}:${p.name}`)).toEqual(['github:GitHub', 'google:Google', 'oidc:Acme SSO'])
  })

  test('Better Auth gets only the configured providers, the generic plugin only with an issuer', () => {
    expect(oauthOptions(none)).toMatchObject({ socialProviders: {}, plugins: [] })
    const options = oauthOptions(all)
    expect(Object.keys(options.socialProviders).sort()).toEqual(['github', 'google'])
    expect(options.plugins.map((p) => p.id)).toEqual(['generic-oauth'])
  })

  test('no provider is trusted to link an account without its own verified claim', () => {
    expect(oauthOptions(all).account.accountLinking).toEqual({
      enabled: true,
      trustedProviders: [],
      allowDifferentEmails: false,
      updateUserInfoOnLink: false,
    })
  })

  test("the pages' form-action allows exactly the configured providers' consent pages", () => {
    expect(providerOrigins(none)).toEqual([])
    expect(providerOrigins(all)).toEqual(['https://github.com', 'https://accounts.google.com', 'https://login.example.com'])
    const policy = contentSecurityPolicy({ nonce: 'n', development: false, https: true, formTargets: providerOrigins(all) })
    expect(policy).toContain("form-action 'self' https://github.com https://accounts.google.com https://login.example.com;")
    expect(contentSecurityPolicy({ nonce: 'n', development: false, https: true })).toContain("form-action 'self';")
  })
})
