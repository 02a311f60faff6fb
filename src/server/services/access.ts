// Who may act in a workspace: every workspace-scoped service call starts here. Membership and role come from the
// database on every call, never from the session or the URL: a person removed a second ago is refused now.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { memberships, workspaces } from '../db/schema'
import { Forbidden, NotFound } from '../errors'
import { type Role, requireUserId, roleAtLeast, type ServiceContext } from './context'

export type Access = { workspaceId: string; userId: string; role: Role }

const ROLE_NAMES: Record<Role, string> = { owner: 'an owner', admin: 'an admin', member: 'a member' }

/** What a refusal for want of a role says. */
export const needsRole = (needed: Role) => new Forbidden(`Only ${ROLE_NAMES[needed]} of this workspace can do that.`)

/**
 * The caller's membership of the workspace they act in, if their role is at least `needed`. Not a member (or no
 * such workspace) is NOT_FOUND, so a slug or id reveals nothing; a member without the role is FORBIDDEN. Pass the
 * transaction `db` to read the membership inside it (and `forUpdate` to hold it until the commit).
 */
export async function requireRole(ctx: ServiceContext, needed: Role, db: Db = ctx.db): Promise<Access> {
  const userId = requireUserId(ctx.actor)
  const access = await currentAccess(ctx, userId, db)
  if (!access) throw new NotFound('Workspace')
  if (!roleAtLeast(access.role, needed)) throw needsRole(needed)
  return access
}

async function currentAccess(ctx: ServiceContext, userId: string, db: Db): Promise<Access | null> {
  const { actor } = ctx
  // A token's role was read from memberships in the query that authenticated it, in this same request.
  if (actor.type === 'user' && actor.via === 'token') return { workspaceId: actor.workspaceId, userId, role: actor.role }
  if (!ctx.workspace) return null
  const [row] = await db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(workspaces.slug, ctx.workspace), eq(memberships.userId, userId)))
  return row ? { ...row, userId } : null
}

/**
 * Serialises changes to one workspace's memberships: taken at the start of a transaction that counts owners (or
 * members) before changing them, so two concurrent demotions cannot both see "another owner is left".
 */
export async function lockWorkspace(tx: Db, workspaceId: string): Promise<void> {
  const [row] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).for('update')
  if (!row) throw new NotFound('Workspace')
}
