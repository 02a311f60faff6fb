// A local OpenID Connect provider for `npm run dev`, so "Continue with …" works offline: oauth2-mock-server on
// loopback, consenting at once as one made-up person. Not for production: it signs in anyone who clicks.
//   node scripts/dev-oidc.mjs        then, in .env.local (see .env.example):
//   OIDC_ISSUER=http://127.0.0.1:4400  OIDC_CLIENT_ID=twofold-dev  OIDC_CLIENT_SECRET=dev-secret  OIDC_NAME=Dev SSO
// DEV_OIDC_PORT (default 4400), DEV_OIDC_EMAIL and DEV_OIDC_NAME choose where it listens and who you are.
import { OAuth2Server } from 'oauth2-mock-server'

const port = Number(process.env.DEV_OIDC_PORT ?? 4400)
const email = process.env.DEV_OIDC_EMAIL ?? 'sso-dev@twofold.dev'
const name = process.env.DEV_OIDC_NAME ?? 'Dev SSO User'

const server = new OAuth2Server()
await server.issuer.keys.generate('RS256')
// The issuer the app is given, exactly: the mock would otherwise say localhost, another origin than 127.0.0.1.
server.issuer.url = `http://127.0.0.1:${port}`
server.service.on('beforeTokenSigning', (token) => {
  // The subject is the provider's stable id for the person: derived from the address, so it stays one account.
  Object.assign(token.payload, { sub: `dev-${email}`, email, email_verified: true, name })
})
await server.start(port, '127.0.0.1')
console.log(`dev OpenID Connect provider at ${server.issuer.url}, signing in ${name} <${email}>`)

const stop = () => server.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
