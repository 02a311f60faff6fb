// Runs before every page: a Content-Security-Policy with a fresh nonce per request, which Next puts on its own
// scripts, so an injected inline script cannot run. A header convenience only: every page, action and route still
// checks who is calling itself.
import { type NextRequest, NextResponse } from 'next/server'
import { providerOrigins } from '@/server/auth/providers'
import { stripeHostedOrigins } from '@/server/billing/hosted-pages'
import { config as appConfig } from '@/server/config'
import { contentSecurityPolicy, strictTransportSecurity } from '@/server/http/security-headers'

export function proxy(request: NextRequest) {
  const { env, appUrl, oauth, stripe } = appConfig()
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const policy = contentSecurityPolicy({
    nonce,
    development: env === 'development',
    https: appUrl.startsWith('https://'),
    formTargets: [...providerOrigins(oauth), ...stripeHostedOrigins(stripe)],
  })

  // Next reads the nonce from the request's policy and puts it on the scripts it renders.
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('Content-Security-Policy', policy)
  const response = NextResponse.next({ request: { headers: requestHeaders } })
  response.headers.set('Content-Security-Policy', policy)
  const hsts = strictTransportSecurity(appUrl)
  if (hsts) response.headers.set('Strict-Transport-Security', hsts)
  return response
}

export const config = {
  // Pages only: API responses are JSON and carry a fixed policy of their own (next.config.ts); static files need none.
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
}
