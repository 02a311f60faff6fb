// Workspace slugs: the workspace's part of every URL (/w/{slug}/…), so URL-safe, lower case and unambiguous.
import { randomBytes } from 'node:crypto'
import { z } from 'zod'

export const SLUG_MIN = 3
export const SLUG_MAX = 48
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$'
const SLUG = new RegExp(SLUG_PATTERN)

// Words a slug may not be: paths of the app under /w/ and names that would read as ours.
const RESERVED = new Set(['new', 'api', 'app', 'admin', 'settings', 'www', 'twofold', 'dashboard', 'invitations'])

export const Slug = z
  .string({ error: 'Address is required.' })
  .trim()
  .toLowerCase()
  .min(SLUG_MIN, `Address must be at least ${SLUG_MIN} characters.`)
  .max(SLUG_MAX, `Address must be at most ${SLUG_MAX} characters.`)
  .refine((s) => SLUG.test(s), 'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.')
  .refine((s) => !s.includes('--'), 'Use single hyphens between words.')
  .refine((s) => !RESERVED.has(s), 'That address is reserved. Choose another.')
  .meta({ minLength: SLUG_MIN, maxLength: SLUG_MAX, pattern: SLUG_PATTERN })

/** A slug made from a name: "Ada's Team" → "ada-s-team"; padded or trimmed into the allowed length. */
export function slugFrom(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX - 7)
    .replace(/-+$/g, '')
  if (base.length >= SLUG_MIN && !RESERVED.has(base)) return base
  return withSuffix(base || 'workspace')
}

/** The same slug with a short random suffix, for when the plain one is taken. */
export function withSuffix(slug: string): string {
  return `${slug.slice(0, SLUG_MAX - 7).replace(/-+$/g, '')}-${randomBytes(4).toString('hex').slice(0, 6)}`
}
