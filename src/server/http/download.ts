// The HTTP parts of serving a stored file: a safe Content-Disposition, single byte ranges (RFC 9110 §14), and the
// strong ETag a file's SHA-256 gives.
import type { ByteRange } from '../files/storage'

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback in `filename` (quotes, backslashes and anything
 * outside printable ASCII replaced) and the exact name in `filename*`, percent-encoded UTF-8 (RFC 5987/8187). A name
 * can therefore never end the header, add a parameter or smuggle a path.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

export const fileEtag = (sha256: string) => `"${sha256}"`

/** Whether an If-None-Match (or If-Range) header names this entity tag; weak tags compare by their opaque part. */
export function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

export type RangeAnswer = { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' }

/**
 * What a Range header asks of a representation `size` bytes long. Only one range is served; a header this server
 * does not understand, or several ranges, is ignored (the whole file, as RFC 9110 allows).
 */
export function requestedRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return { kind: 'full' }
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!match) return { kind: 'full' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'full' }
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last)
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' }
  if (end < start) return { kind: 'full' }
  return { kind: 'partial', range: { start, end } }
}
