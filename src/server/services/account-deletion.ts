// Deleting an account: the person, their sessions, sign-in methods, links, API tokens and memberships, and every
// workspace in which they are the only member — in one transaction, or not at all. Refused while they are the last
// owner of a workspace others still work in: that workspace would be left with nobody who may manage it.
import { and, asc, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import { z } from 'zod'
import { apiTokens, invitations, memberships, user, workspaces } from '../db/schema'
import { Conflict, NotFound, ValidationError } from '../errors'
import { cancelPendingMail } from '../mail/outbox'
import { LINK_PURPOSES, withdrawLinks } from './account-links'
import { requireSessionUser, type ServiceContext } from './context'
import { parseInput } from './parse'
import { CurrentPassword, hasherOf, hasPassword, passwordMatches } from './passwords'
import { announceAuthChange } from './token-cache'

export const DeleteAccountInput = z.object({
  /** The password, for an account that has one. */
  password: CurrentPassword,
  /** The account's e-mail address typed out, for an account without a password (made through OAuth). */
  confirm: z.string().max(254).default(''),
})

export const DeletedAccount = z.object({ id: z.string().max(100), deletedWorkspaces: z.array(z.string().max(100)).max(1000) })

/** The refusal that names the workspaces that would be left without an owner. */
export function lastOwnerOf(names: readonly string[]): Conflict {
  const list = names.map((n) => `“${n}”`).join(', ')
  return new Conflict(
    `You are the last owner of ${list}, where others still work. Make someone else an owner there (or delete the workspace) first.`,
  )
}

export async function deleteAccount(
  ctx: ServiceContext,
  input: z.input<typeof DeleteAccountInput>,
): Promise<z.infer<typeof DeletedAccount>> {
  const userId = requireSessionUser(ctx.actor, 'An account can be deleted')
  const { password, confirm } = parseInput(DeleteAccountInput, input)
  const [me] = await ctx.db.select({ email: user.email }).from(user).where(eq(user.id, userId))
  if (!me) throw new NotFound('Account')
  if (await hasPassword(ctx.db, userId)) {
    if (!(await passwordMatches(ctx.db, hasherOf(ctx), userId, password)))
      throw new ValidationError({ password: ['That is not your password.'] })
  } else if (confirm.trim().toLowerCase() !== me.email) {
    throw new ValidationError({ confirm: [`Type ${me.email} to confirm.`] })
  }

  return ctx.db.transaction(async (tx) => {
    const mine = await tx
      .select({ id: memberships.workspaceId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.workspaceId))
    // Locked in id order (as every owner-counting change locks its one workspace), so a concurrent promotion, demotion
    // or invitation acceptance in any of them waits for this decision, and two deletions cannot deadlock.
    const ids = mine.map((m) => m.id)
    if (ids.length)
      await tx.select({ id: workspaces.id }).from(workspaces).where(inArray(workspaces.id, ids)).orderBy(asc(workspaces.id)).for('update')
    const others = ids.length
      ? await tx
          .select({
            workspaceId: memberships.workspaceId,
            members: count(),
            owners: sql<number>`count(*) filter (where ${memberships.role} = 'owner')`,
          })
          .from(memberships)
          .where(and(inArray(memberships.workspaceId, ids), ne(memberships.userId, userId)))
          .groupBy(memberships.workspaceId)
      : []
    const othersIn = new Map(others.map((o) => [o.workspaceId, o]))
    const alone = ids.filter((id) => !othersIn.has(id))
    const stranded = mine
      .filter((m) => m.role === 'owner' && othersIn.has(m.id) && Number(othersIn.get(m.id)?.owners) === 0)
      .map((m) => m.id)
    if (stranded.length) {
      const names = await tx
        .select({ name: workspaces.name })
        .from(workspaces)
        .where(inArray(workspaces.id, stranded))
        .orderBy(asc(workspaces.name))
      throw lastOwnerOf(names.map((n) => n.name))
    }

    let deletedWorkspaces: string[] = []
    if (alone.length) {
      // Invitation e-mails not sent yet would carry links to workspaces that no longer exist.
      const open = await tx
        .select({ mailId: invitations.mailId })
        .from(invitations)
        .where(and(inArray(invitations.workspaceId, alone), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      await cancelPendingMail(
        tx,
        open.flatMap((r) => (r.mailId ? [r.mailId] : [])),
        'the workspace was deleted with its only member',
      )
      deletedWorkspaces = (await tx.delete(workspaces).where(inArray(workspaces.id, alone)).returning({ name: workspaces.name })).map(
        (w) => w.name,
      )
    }
    // Tokens and memberships in the workspaces that stay, and sessions and sign-in methods, go with the user row
    // (their foreign keys cascade); said out loud here for the tokens, whose cached copies every instance must drop.
    await tx.delete(apiTokens).where(eq(apiTokens.userId, userId))
    for (const purpose of LINK_PURPOSES) await withdrawLinks(tx, purpose, userId)
    const deleted = await tx.delete(user).where(eq(user.id, userId)).returning({ id: user.id })
    if (!deleted.length) throw new NotFound('Account')
    await announceAuthChange(tx)
    return { id: userId, deletedWorkspaces }
  })
}
