// "Forgot password?": a link (1 h, single use) mailed to an account's address, and setting a new password through it,
// which signs the account out everywhere.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { session, user } from '../db/schema'
import { ValidationError } from '../errors'
import { resetPasswordMessage } from '../mail/messages'
import { enqueueMail } from '../mail/outbox'
import { consumeLink, issueLink, peekLink, withdrawLinks } from './account-links'
import type { PasswordHasher } from './context'
import { parseInput } from './parse'
import { NewPassword, setPassword } from './passwords'
import { emailField } from './text'

export const RequestResetInput = z.object({ email: emailField() })
export const ResetPasswordInput = z.object({ token: z.string().max(200).default(''), password: NewPassword })

export const LINK_USED_OR_EXPIRED = 'This link has expired or was already used. Ask for a new one.'

export type ResetDeps = { db: Db; now: Date; appUrl: string }

/**
 * Queues the reset e-mail if an account has this address, and does nothing otherwise. The caller answers the same
 * either way and runs this after the response (so its duration says nothing either); returns whether mail was queued.
 */
export async function requestReset(deps: ResetDeps, email: string): Promise<boolean> {
  const [person] = await deps.db.select({ id: user.id, name: user.name, email: user.email }).from(user).where(eq(user.email, email))
  if (!person) return false
  await deps.db.transaction(async (tx) => {
    const { secret, expiresAt } = await issueLink(tx, 'reset-password', { userId: person.id, email: person.email }, deps.now)
    const url = new URL('/reset-password', deps.appUrl)
    url.searchParams.set('token', secret)
    await enqueueMail(tx, resetPasswordMessage({ to: person.email, name: person.name, url: url.toString(), expiresAt }), deps.now)
  })
  return true
}

/** Whether the link is open, for the page that asks for the new password (it is used up only by the reset). */
export async function linkIsOpen(deps: Pick<ResetDeps, 'db' | 'now'>, secret: string): Promise<boolean> {
  return (await peekLink(deps.db, 'reset-password', secret, deps.now)) !== null
}

/**
 * Sets the new password through the link and ends every session of the account, in one transaction: a link that
 * fails to set the password stays usable, and one that did is gone. API tokens are left alone (they are workspace
 * credentials; see README "Accounts and sign-in").
 */
export async function resetPassword(
  deps: Pick<ResetDeps, 'db' | 'now'> & { passwords: PasswordHasher },
  input: unknown,
): Promise<{ userId: string }> {
  const { token, password } = parseInput(ResetPasswordInput, input)
  return deps.db.transaction(async (tx) => {
    const claim = await consumeLink(tx, 'reset-password', token, deps.now)
    const [owner] = claim ? await tx.select({ email: user.email }).from(user).where(eq(user.id, claim.userId)) : []
    // A link sent to an address the account no longer has died with that address.
    if (!claim || owner?.email !== claim.email) throw new ValidationError({ _: [LINK_USED_OR_EXPIRED] }, LINK_USED_OR_EXPIRED)
    await setPassword(tx, deps.passwords, claim.userId, password, deps.now)
    await tx.delete(session).where(eq(session.userId, claim.userId))
    await withdrawLinks(tx, 'reset-password', claim.userId)
    return { userId: claim.userId }
  })
}
