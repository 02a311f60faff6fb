// The secrets in the links the account e-mails carry (address verification, address change, password reset): kept in
// Better Auth's `verification` table as the SHA-256 of the secret (never the secret), each with its expiry, and
// consumed by one DELETE … RETURNING, so a link works once even when it is followed twice at the same moment.
import { randomBytes, randomUUID } from 'node:crypto'
import { and, eq, gt, like } from 'drizzle-orm'
import type { Db } from '../db/client'
import { verification } from '../db/schema'
import { hashSecret } from './tokens'

export const LINK_PURPOSES = ['verify-email', 'change-email', 'reset-password'] as const
export type LinkPurpose = (typeof LINK_PURPOSES)[number]

export const LINK_TTL_MS: Record<LinkPurpose, number> = {
  'verify-email': 24 * 60 * 60 * 1000,
  'change-email': 24 * 60 * 60 * 1000,
  'reset-password': 60 * 60 * 1000,
}

/** What a link stands for: whose account, and the address it was sent to (a link for an old address dies with it). */
export type LinkClaim = { userId: string; email: string }

// Looked up by equality on the indexed identifier: the purpose and the secret's hash. The claim is the value, written
// as {"userId":…,"email":…} in that order, so one user's links can be found by its prefix.
const identifier = (purpose: LinkPurpose, secret: string) => `${purpose}:${hashSecret(secret)}`
const ofUser = (purpose: LinkPurpose, userId: string) =>
  and(like(verification.identifier, `${purpose}:%`), like(verification.value, `${escapeLike(JSON.stringify({ userId }).slice(0, -1))},%`))

/**
 * Writes a new link for `claim` in `tx`, withdrawing the user's earlier links of the same purpose (a resent e-mail
 * replaces the one before it), and returns its secret, which only the e-mail will carry.
 */
export async function issueLink(tx: Db, purpose: LinkPurpose, claim: LinkClaim, now: Date): Promise<{ secret: string; expiresAt: Date }> {
  await withdrawLinks(tx, purpose, claim.userId)
  const secret = randomBytes(32).toString('base64url')
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS[purpose])
  await tx.insert(verification).values({
    id: randomUUID(),
    identifier: identifier(purpose, secret),
    value: JSON.stringify({ userId: claim.userId, email: claim.email }),
    expiresAt,
    createdAt: now,
    updatedAt: now,
  })
  return { secret, expiresAt }
}

/** Ends every open link of `purpose` for the user (a password changed, an account deleted). */
export async function withdrawLinks(tx: Db, purpose: LinkPurpose, userId: string): Promise<void> {
  await tx.delete(verification).where(ofUser(purpose, userId))
}

/** When the user's newest link of `purpose` was written, if one is open: for throttling resends. */
export async function latestLinkAt(db: Db, purpose: LinkPurpose, userId: string, now: Date): Promise<Date | null> {
  const rows = await db
    .select({ createdAt: verification.createdAt })
    .from(verification)
    .where(and(ofUser(purpose, userId), gt(verification.expiresAt, now)))
  return rows.reduce<Date | null>((latest, row) => (latest && latest > row.createdAt ? latest : row.createdAt), null)
}

/**
 * Takes the link `secret` out of the table in `tx` and returns what it stood for; null when it is unknown, used, or
 * expired (an expired one is removed all the same). Call it in the transaction that acts on the claim, so a failure
 * there leaves the link usable.
 */
export async function consumeLink(tx: Db, purpose: LinkPurpose, secret: string, now: Date): Promise<LinkClaim | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null
  const [row] = await tx
    .delete(verification)
    .where(eq(verification.identifier, identifier(purpose, secret)))
    .returning({ value: verification.value, expiresAt: verification.expiresAt })
  if (!row || row.expiresAt <= now) return null
  return parseClaim(row.value)
}

/** Whether `secret` is an open link of `purpose`, without using it up (the page that asks for a new password). */
export async function peekLink(db: Db, purpose: LinkPurpose, secret: string, now: Date): Promise<LinkClaim | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null
  const [row] = await db
    .select({ value: verification.value })
    .from(verification)
    .where(and(eq(verification.identifier, identifier(purpose, secret)), gt(verification.expiresAt, now)))
  return row ? parseClaim(row.value) : null
}

function parseClaim(value: string): LinkClaim | null {
  try {
    const parsed: unknown = JSON.parse(value)
    if (typeof parsed !== 'object' || parsed === null) return null
    const { userId, email } = parsed as Record<string, unknown>
    return typeof userId === 'string' && typeof email === 'string' ? { userId, email } : null
  } catch {
    return null
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)
