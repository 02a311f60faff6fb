// The Content-Security-Policy and HSTS values the app sends; src/proxy.ts puts them on every page.

/**
 * Scripts run only with this request's nonce ('strict-dynamic' lets them load the chunks they need); nothing may
 * frame the app; forms post only to the app (whose sign-in forms may redirect to a configured OAuth provider). Styles come from the app's own stylesheets. Development adds
 * 'unsafe-eval', which React's dev tooling needs, and allows inline styles, which Next's dev overlay injects.
 */
export function contentSecurityPolicy({
  nonce,
  development,
  https,
  formTargets = [],
}: {
  nonce: string
  development: boolean
  https: boolean
  /** Origins a form submission may be redirected to: the configured OAuth providers' consent pages, Stripe's hosted pages. */
  formTargets?: readonly string[]
}): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self'${development ? " 'unsafe-inline'" : ` 'nonce-${nonce}'`}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
  ]
  if (https) directives.push('upgrade-insecure-requests')
  return directives.join('; ')
}

/** HSTS only where the app is served over https: over http a browser ignores it, and it would be untrue. */
export function strictTransportSecurity(appUrl: string): string | null {
  return appUrl.startsWith('https://') ? 'max-age=63072000; includeSubDomains' : null
}
