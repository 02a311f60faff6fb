// The people of a workspace: listing them, changing roles and removing them, always leaving an owner.
import { and, asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { memberships, user } from '../db/schema'
import { NotFound, ValidationError } from '../errors'
import { lockWorkspace, needsRole, requireRole } from './access'
import { recordActivity } from './activity'
import { TIMESTAMP_MAX_LENGTH } from './bounds'
import { ROLES, type Role, roleAtLeast, type ServiceContext } from './context'
import { parseInput } from './parse'
import { ONE_LINE_PATTERN } from './text'
import { announceAuthChange } from './token-cache'
import { removeMembership, requireAnotherOwner } from './workspaces'

/** People one workspace may hold; invitations stop here (plans will set smaller limits). */
export const MEMBERS_MAX = 1000

export const Member = z
  .object({
    userId: z.string().meta({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    name: z.string().meta({ maxLength: 100, pattern: ONE_LINE_PATTERN }),
    email: z.email().meta({ maxLength: 254 }),
    role: z.enum(ROLES),
    joinedAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
  })
  .meta({ id: 'Member' })
export type Member = z.infer<typeof Member>

export const MemberList = z.object({ items: z.array(Member).max(MEMBERS_MAX) })
export type MemberList = z.infer<typeof MemberList>

const UserId = z.string().min(1).max(64)
export const ChangeRoleInput = z.object({ userId: UserId, role: z.enum(ROLES, { error: 'Choose owner, admin or member.' }) })
export const RemoveMemberInput = z.object({ userId: UserId })
export const TransferOwnershipInput = z.object({ userId: UserId })

/** Everyone in the workspace, owners first, then by when they joined. */
export async function list(ctx: ServiceContext): Promise<MemberList> {
  const access = await requireRole(ctx, 'admin')
  const rows = await ctx.db
    .select({ userId: user.id, name: user.name, email: user.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(eq(memberships.workspaceId, access.workspaceId))
    .orderBy(asc(memberships.createdAt), asc(user.email))
  const rank = (role: Role) => ROLES.indexOf(role)
  const items = rows
    .map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }))
    .sort((a, b) => rank(a.role) - rank(b.role) || a.joinedAt.localeCompare(b.joinedAt))
  return { items }
}

async function findMember(ctx: ServiceContext, db: typeof ctx.db, workspaceId: string, userId: string) {
  const [row] = await db
    .select({ userId: user.id, name: user.name, email: user.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(user, eq(user.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
  if (!row) throw new NotFound('Member')
  return { ...row, joinedAt: row.joinedAt.toISOString() }
}

/**
 * Admins change admins and members; only an owner makes or unmakes an owner. The last owner cannot be demoted.
 */
export async function changeRole(ctx: ServiceContext, input: z.input<typeof ChangeRoleInput>): Promise<Member> {
  const { userId, role } = parseInput(ChangeRoleInput, input)
  return ctx.db.transaction(async (tx) => {
    const access = await requireRole(ctx, 'admin', tx)
    await lockWorkspace(tx, access.workspaceId)
    const target = await findMember(ctx, tx, access.workspaceId, userId)
    if ((target.role === 'owner' || role === 'owner') && !roleAtLeast(access.role, 'owner')) throw needsRole('owner')
    if (target.role === role) return target
    if (target.role === 'owner') await requireAnotherOwner(tx, access.workspaceId)
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, access.workspaceId), eq(memberships.userId, userId)))
    await announceAuthChange(tx)
    await recordActivity(tx, {
      workspaceId: access.workspaceId,
      actorId: access.userId,
      kind: 'member.role_changed',
      subjectId: userId,
      data: { name: target.name, role },
    })
    return { ...target, role }
  })
}

/** Removes a member: their next request is refused, and the tokens they made for this workspace are revoked. */
export async function remove(ctx: ServiceContext, input: z.input<typeof RemoveMemberInput>): Promise<Member> {
  const { userId } = parseInput(RemoveMemberInput, input)
  return ctx.db.transaction(async (tx) => {
    const access = await requireRole(ctx, 'admin', tx)
    await lockWorkspace(tx, access.workspaceId)
    const target = await findMember(ctx, tx, access.workspaceId, userId)
    if (target.role === 'owner') {
      if (!roleAtLeast(access.role, 'owner')) throw needsRole('owner')
      await requireAnotherOwner(tx, access.workspaceId)
    }
    await removeMembership(tx, access.workspaceId, userId, ctx.now())
    const data = { name: target.name }
    await recordActivity(tx, { workspaceId: access.workspaceId, actorId: access.userId, kind: 'member.removed', subjectId: userId, data })
    return target
  })
}

/**
 * Hands the workspace to another member, in one step: they become an owner and the caller, an owner, becomes an admin.
 * (Before this, people promoted someone and demoted themselves, and the feed read "Ada made Ada an admin".)
 */
export async function transferOwnership(ctx: ServiceContext, input: z.input<typeof TransferOwnershipInput>): Promise<Member> {
  const { userId } = parseInput(TransferOwnershipInput, input)
  return ctx.db.transaction(async (tx) => {
    const access = await requireRole(ctx, 'owner', tx)
    await lockWorkspace(tx, access.workspaceId)
    if (userId === access.userId)
      throw new ValidationError({ userId: ['Choose another member.'] }, 'You own it already: choose another member.')
    const target = await findMember(ctx, tx, access.workspaceId, userId)
    const inWorkspace = (id: string) => and(eq(memberships.workspaceId, access.workspaceId), eq(memberships.userId, id))
    await tx.update(memberships).set({ role: 'owner' }).where(inWorkspace(userId))
    await tx.update(memberships).set({ role: 'admin' }).where(inWorkspace(access.userId))
    await announceAuthChange(tx)
    await recordActivity(tx, {
      workspaceId: access.workspaceId,
      actorId: access.userId,
      kind: 'ownership.transferred',
      subjectId: userId,
      data: { name: target.name },
    })
    return { ...target, role: 'owner' }
  })
}
