// Where to go after signing in: the `next` parameter, followed only to a page of this app.

/** Control characters (C0 and DEL), which browsers drop or choke on, and `\`, which they read as `/`. */
function hasControlOrBackslash(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0)
    if (code < 0x20 || code === 0x7f || char === '\\') return true
  }
  return false
}

/**
 * `next` resolved against the app's origin must stay on that origin; only its path, query and hash are kept, so the
 * redirect is always relative. Browsers drop tabs and newlines and read `\` as `/` (so `/\t/evil.example` and
 * `/\evil.example` mean `//evil.example`), and `/..//evil.example` resolves to a path that starts with `//`: all
 * refused, as is anything that is not a string starting with a single `/`.
 */
export function safeReturnPath(next: unknown, appOrigin: string, fallback = '/dashboard'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || hasControlOrBackslash(next)) return fallback
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
