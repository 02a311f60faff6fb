// Proving an address: the link sent after sign-up (and again on request), and the link that confirms a new address
// before it replaces the old one. Both are single-use links (account-links.ts) mailed through the outbox.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { user } from '../db/schema'
import { Conflict, isUniqueViolation, NotFound, RateLimited } from '../errors'
import { changeEmailMessage, emailChangedMessage, verifyEmailMessage } from '../mail/messages'
import { enqueueMail } from '../mail/outbox'
import { consumeLink, issueLink, latestLinkAt, withdrawLinks } from './account-links'
import { requireSessionUser, type ServiceContext } from './context'
import { announceAuthChange } from './token-cache'

/** A verification e-mail can be asked for again after this long. */
export const RESEND_INTERVAL_MS = 60 * 1000

export type Person = { id: string; name: string; email: string }

/** Queues the e-mail with a link that confirms `person`'s address (24 h, single use), replacing any earlier link. */
export async function sendVerification(db: Db, person: Person, now: Date, appUrl: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { secret, expiresAt } = await issueLink(tx, 'verify-email', { userId: person.id, email: person.email }, now)
    const url = linkUrl(appUrl, '/verify-email', secret)
    await enqueueMail(tx, verifyEmailMessage({ to: person.email, name: person.name, url, expiresAt }), now)
  })
}

/** Sends the signed-in person's verification e-mail again: at most once a minute, and only while unconfirmed. */
export async function resendVerification(ctx: ServiceContext): Promise<{ email: string }> {
  const userId = requireSessionUser(ctx.actor, 'Verification e-mails are sent')
  const { appUrl } = ctx
  const now = ctx.now()
  const [me] = await ctx.db
    .select({ id: user.id, name: user.name, email: user.email, verified: user.emailVerified })
    .from(user)
    .where(eq(user.id, userId))
  if (!me) throw new NotFound('Account')
  if (me.verified) throw new Conflict('Your address is already confirmed.')
  const last = await latestLinkAt(ctx.db, 'verify-email', userId, now)
  if (last && now.getTime() - last.getTime() < RESEND_INTERVAL_MS) {
    const wait = Math.ceil((RESEND_INTERVAL_MS - (now.getTime() - last.getTime())) / 1000)
    throw new RateLimited(wait, `A confirmation e-mail was just sent. You can ask for another in ${wait} seconds.`)
  }
  await sendVerification(ctx.db, me, now, appUrl)
  ctx.mailQueued()
  return { email: me.email }
}

export type LinkOutcome = { status: 'confirmed'; email: string } | { status: 'invalid' } | { status: 'taken' }

/**
 * Follows a verification link: the account is confirmed if the link is open and the account still has the address
 * it was sent to. Works signed in or not (the link is the proof); used once, in one transaction.
 */
export async function confirmAddress(deps: { db: Db; now: Date }, secret: string): Promise<LinkOutcome> {
  return deps.db.transaction(async (tx) => {
    const claim = await consumeLink(tx, 'verify-email', secret, deps.now)
    if (!claim) return { status: 'invalid' } as const
    const updated = await tx
      .update(user)
      .set({ emailVerified: true, updatedAt: deps.now })
      .where(and(eq(user.id, claim.userId), eq(user.email, claim.email)))
      .returning({ id: user.id })
    return updated.length ? ({ status: 'confirmed', email: claim.email } as const) : ({ status: 'invalid' } as const)
  })
}

/** Queues the e-mail to `newEmail` whose link makes it the account's address (in the caller's transaction). */
export async function sendEmailChange(tx: Db, person: Person, newEmail: string, now: Date, appUrl: string): Promise<void> {
  const { secret, expiresAt } = await issueLink(tx, 'change-email', { userId: person.id, email: newEmail }, now)
  const url = linkUrl(appUrl, '/verify-email/change', secret)
  await enqueueMail(tx, changeEmailMessage({ to: newEmail, name: person.name, url, expiresAt }), now)
}

/**
 * Follows an address-change link: the new address replaces the old one, confirmed (the link reached it), the old
 * address's open verification links die, and the old address is told. If someone else took the address meanwhile,
 * nothing changes.
 */
export async function confirmEmailChange(deps: { db: Db; now: Date }, secret: string): Promise<LinkOutcome> {
  try {
    return await deps.db.transaction(async (tx) => {
      const claim = await consumeLink(tx, 'change-email', secret, deps.now)
      if (!claim) return { status: 'invalid' } as const
      const [before] = await tx.select({ name: user.name, email: user.email }).from(user).where(eq(user.id, claim.userId))
      const updated = await tx
        .update(user)
        .set({ email: claim.email, emailVerified: true, updatedAt: deps.now })
        .where(eq(user.id, claim.userId))
        .returning({ id: user.id })
      if (!updated.length || !before) return { status: 'invalid' } as const
      await withdrawLinks(tx, 'verify-email', claim.userId)
      // Cached token identities carry the address (GET /api/v1/me): every instance drops them at commit.
      await announceAuthChange(tx)
      // The old address hears of it, so a change made by someone else does not go unnoticed.
      await enqueueMail(tx, emailChangedMessage({ to: before.email, name: before.name, newEmail: claim.email, at: deps.now }), deps.now)
      return { status: 'confirmed', email: claim.email } as const
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { status: 'taken' }
    throw error
  }
}

function linkUrl(appUrl: string, path: string, secret: string): string {
  const url = new URL(path, appUrl)
  url.searchParams.set('token', secret)
  return url.toString()
}

/** Whether the signed-in person has confirmed their address (for the notice on workspace pages). */
export async function addressConfirmed(ctx: ServiceContext): Promise<boolean> {
  const userId = requireSessionUser(ctx.actor, 'Addresses are confirmed')
  const [me] = await ctx.db.select({ verified: user.emailVerified }).from(user).where(eq(user.id, userId))
  return me?.verified ?? true
}
