// The client address that per-IP limits (anonymous API calls, sign-ins, sign-ups) are counted against.

/**
 * Best effort: the left-most X-Forwarded-For entry is only trustworthy behind a proxy that sets it, which is how
 * this app is meant to be deployed; without one, all callers share the 'unknown' bucket, which fails safe.
 */
export function clientIp(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]?.trim() || headers.get('x-real-ip') || 'unknown'
}
