// Settings → Account and security: the signed-in person's name, address and password. Only from the app (a session):
// an API token is a workspace credential and cannot change the person behind it.
import { and, eq, ne } from 'drizzle-orm'
import { z } from 'zod'
import { session, user } from '../db/schema'
import { NotFound, ValidationError } from '../errors'
import { passwordChangedMessage } from '../mail/messages'
import { enqueueMail } from '../mail/outbox'
import { withdrawLinks } from './account-links'
import { requireSessionUser, type ServiceContext } from './context'
import { sendEmailChange } from './email-verification'
import { parseInput } from './parse'
import { CurrentPassword, hasherOf, hasPassword, NewPassword, passwordMatches, setPassword } from './passwords'
import { emailField, nameField } from './text'
import { announceAuthChange } from './token-cache'

export const Profile = z.object({
  id: z.string().max(100),
  name: z.string().max(100),
  email: z.email().max(254),
  emailVerified: z.boolean(),
  hasPassword: z.boolean(),
})
export type Profile = z.infer<typeof Profile>

export const RenameInput = z.object({ name: nameField('Name', 100) })
export const ChangeEmailInput = z.object({ email: emailField(), password: CurrentPassword })
export const ChangePasswordInput = z.object({ currentPassword: CurrentPassword, newPassword: NewPassword })

export const WRONG_PASSWORD = 'That is not your current password.'

const who = (ctx: ServiceContext) => requireSessionUser(ctx.actor, 'Your account can be changed')

export async function profile(ctx: ServiceContext): Promise<Profile> {
  const userId = who(ctx)
  const [me] = await ctx.db
    .select({ id: user.id, name: user.name, email: user.email, emailVerified: user.emailVerified })
    .from(user)
    .where(eq(user.id, userId))
  if (!me) throw new NotFound('Account')
  return { ...me, hasPassword: await hasPassword(ctx.db, userId) }
}

export async function rename(ctx: ServiceContext, input: z.input<typeof RenameInput>): Promise<Profile> {
  const userId = who(ctx)
  const { name } = parseInput(RenameInput, input)
  await ctx.db.transaction(async (tx) => {
    await tx.update(user).set({ name, updatedAt: ctx.now() }).where(eq(user.id, userId))
    // Cached token identities carry the name (GET /api/v1/me): every instance drops them at commit.
    await announceAuthChange(tx)
  })
  return profile(ctx)
}

/**
 * Asks to move the account to a new address: the current password is required (the person at the keyboard is the
 * owner), and the address changes only when the link mailed to it is followed (email-verification.ts).
 */
export async function requestEmailChange(ctx: ServiceContext, input: z.input<typeof ChangeEmailInput>): Promise<{ email: string }> {
  const userId = who(ctx)
  const { appUrl } = ctx
  const { email, password } = parseInput(ChangeEmailInput, input)
  const now = ctx.now()
  const me = await profile(ctx)
  if (email === me.email) throw new ValidationError({ email: ['This is already your address.'] })
  if (!(await passwordMatches(ctx.db, hasherOf(ctx), userId, password))) throw new ValidationError({ password: [WRONG_PASSWORD] })
  const [taken] = await ctx.db.select({ id: user.id }).from(user).where(eq(user.email, email))
  if (taken) throw new ValidationError({ email: ['Another account uses this address.'] })
  await ctx.db.transaction((tx) => sendEmailChange(tx, me, email, now, appUrl))
  ctx.mailQueued()
  return { email }
}

/**
 * Changes the password, given the current one, and ends every other session of the account (this device stays
 * signed in). A notice goes to the account's address. API tokens are left alone, as on a reset.
 */
export async function changePassword(ctx: ServiceContext, input: z.input<typeof ChangePasswordInput>): Promise<{ signedOut: number }> {
  const userId = who(ctx)
  const { currentPassword, newPassword } = parseInput(ChangePasswordInput, input)
  const now = ctx.now()
  if (!(await passwordMatches(ctx.db, hasherOf(ctx), userId, currentPassword)))
    throw new ValidationError({ currentPassword: [WRONG_PASSWORD] })
  const me = await profile(ctx)
  const current = ctx.actor.type === 'user' && ctx.actor.via === 'session' ? ctx.actor.sessionId : undefined
  const signedOut = await ctx.db.transaction(async (tx) => {
    await setPassword(tx, hasherOf(ctx), userId, newPassword, now)
    const others = current ? and(eq(session.userId, userId), ne(session.id, current)) : eq(session.userId, userId)
    const ended = await tx.delete(session).where(others).returning({ id: session.id })
    await withdrawLinks(tx, 'reset-password', userId)
    await enqueueMail(tx, passwordChangedMessage({ to: me.email, name: me.name, at: now }), now)
    return ended.length
  })
  ctx.mailQueued()
  return { signedOut }
}
