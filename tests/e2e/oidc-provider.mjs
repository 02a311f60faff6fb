// The browser suite's OpenID Connect provider: oauth2-mock-server on loopback (discovery, authorize, token, JWKS),
// which consents at once, told per visitor what to say. The app under test has it as OIDC_ISSUER.
//   POST /__e2e/scenario { visitor, claims, deny?, tamperState?, replayCode? } → 204
// A visitor is the X-Forwarded-For each spec's browser sends (support.ts asNewVisitor); the provider reads it on
// the authorize request, so specs running side by side each get their own answer:
//   claims       what the ID token says about the person (sub, email, email_verified, name)
//   deny         the person declines consent: back to the app with error=access_denied and no code
//   tamperState  the state the app sent comes back altered
//   replayCode   the code sent back is the one this visitor was given last time (already redeemed)
// Port: E2E_OIDC_PORT (playwright.config.ts gives it a free one; 3190 when run alone).
import { OAuth2Server } from 'oauth2-mock-server'

const port = Number(process.env.E2E_OIDC_PORT ?? 3190)

/** @typedef {{ claims: Record<string, unknown>; deny?: boolean; tamperState?: boolean; replayCode?: boolean }} Scenario */
/** @type {Map<string, Scenario>} */
const scenarios = new Map()
/** @type {Map<string, Scenario>} the scenario each issued code answers for, read when the app redeems it */
const byCode = new Map()
/** @type {Map<string, string>} the last code each visitor was given */
const lastCode = new Map()

const server = new OAuth2Server()
await server.issuer.keys.generate('RS256')
// As the app is configured (OIDC_ISSUER): the mock would say localhost, another origin than 127.0.0.1 to a browser.
server.issuer.url = `http://127.0.0.1:${port}`

// A route beside the standard ones (oauth2-mock-server 9 has no Express: the body comes parsed, the answer is plain http).
server.service.addRoute('POST', '/__e2e/scenario', (req, res) => {
  const { visitor, ...scenario } = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}
  res.statusCode = typeof visitor === 'string' && typeof scenario.claims === 'object' ? 204 : 400
  if (res.statusCode === 204) scenarios.set(visitor, scenario)
  res.end()
})

server.service.on('beforeAuthorizeRedirect', ({ url }, req) => {
  const visitor = String(req.headers['x-forwarded-for'] ?? '')
  const scenario = scenarios.get(visitor)
  if (!scenario) return
  const code = url.searchParams.get('code') ?? ''
  if (scenario.deny) {
    url.searchParams.delete('code')
    url.searchParams.set('error', 'access_denied')
    url.searchParams.set('error_description', 'The resource owner denied the request <script>alert(1)</script>')
    return
  }
  if (scenario.tamperState) url.searchParams.set('state', `${url.searchParams.get('state')}-tampered`)
  const previous = lastCode.get(visitor)
  if (scenario.replayCode && previous) url.searchParams.set('code', previous)
  else {
    byCode.set(code, scenario)
    lastCode.set(visitor, code)
  }
})

server.service.on('beforeTokenSigning', (token, req) => {
  const scenario = byCode.get(String(req.body?.code ?? ''))
  if (scenario) Object.assign(token.payload, scenario.claims)
})

await server.start(port, '127.0.0.1')
console.log(`oidc provider: ${server.issuer.url}`)

const stop = () => server.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
