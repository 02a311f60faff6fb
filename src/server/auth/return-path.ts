// Where to go after signing in: the `next` parameter, followed only to a page of this app.

const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/

/**
 * `next` resolved against the app's origin must stay on that origin; only its path, query and hash are kept, so the
 * redirect is always relative. Browsers drop tabs and newlines and read `\` as `/` (so `/\t/evil.example` and
 * `/\evil.example` mean `//evil.example`), and `/..//evil.example` resolves to a path that starts with `//`: all
 * refused, as is anything that is not a string starting with a single `/`.
 */
export function safeReturnPath(next: unknown, appOrigin: string, fallback = '/dashboard'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || CONTROL_OR_BACKSLASH.test(next)) return fallback
  let resolved: URL
  try {
    resolved = new URL(next, appOrigin)
  } catch {
    return fallback
  }
  if (resolved.origin !== new URL(appOrigin).origin) return fallback
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`
  if (path.startsWith('//') || path.startsWith('/\\')) return fallback
  return path
}
