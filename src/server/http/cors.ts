// The public API's CORS policy. The API authenticates with bearer tokens only and ignores cookies, so a page on
// another origin gains nothing it could not do with the token itself: any origin may call it, without credentials.

/** Response headers a browser script may read: versions, links, limits and the request id. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Link',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'X-Request-Id',
] as const

/**
 * Request headers a browser script may send. Last-Event-ID: EventSource cannot send Authorization, so a script on
 * another origin reads /api/v1/events with fetch, and resumes by sending the header itself.
 */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Last-Event-ID', 'X-Request-Id'] as const

/** How long (seconds) a browser may reuse a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600

const EXPOSED = CORS_EXPOSED_HEADERS.join(', ')

/** Sets the headers every API answer carries, success or failure. */
export function applyCorsHeaders(headers: Headers): Headers {
  headers.set('Access-Control-Allow-Origin', '*')
  headers.set('Access-Control-Expose-Headers', EXPOSED)
  return headers
}

/** The headers of a preflight (OPTIONS) answer for a path that accepts `methods`. */
export function preflightHeaders(methods: readonly string[]): Headers {
  const headers = applyCorsHeaders(new Headers())
  headers.set('Access-Control-Allow-Methods', methods.join(', '))
  headers.set('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '))
  headers.set('Access-Control-Max-Age', String(CORS_MAX_AGE_SECONDS))
  return headers
}
