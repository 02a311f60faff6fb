// Strong ETags derived from a resource's version number, and the If-Match / If-None-Match checks on them.
import { INT4_MAX } from '../services/bounds'

export const etagFor = (version: number) => `"v${version}"`

function listed(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, ''))
}

/** If-None-Match: true when the client's copy is current (so the answer is 304). Weak comparison, per RFC 9110. */
export function matchesIfNoneMatch(header: string | null, version: number): boolean {
  if (!header) return false
  const tags = listed(header)
  return tags.includes('*') || tags.includes(etagFor(version))
}

/**
 * If-Match, read as the version the client expects: undefined when absent or `*` (any version will do),
 * null when no listed tag can ever match (weak or foreign tags, versions beyond what the version column holds):
 * the write must fail with 412.
 */
export function expectedVersionFromIfMatch(header: string | null): number | undefined | null {
  if (header === null) return undefined
  const tags = header.split(',').map((t) => t.trim())
  if (tags.includes('*')) return undefined
  for (const tag of tags) {
    const match = /^"v([1-9][0-9]{0,9})"$/.exec(tag)
    if (!match?.[1]) continue
    const version = Number(match[1])
    if (version <= INT4_MAX) return version
  }
  return null
}
