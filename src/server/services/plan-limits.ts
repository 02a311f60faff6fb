// What a workspace's plan lets it create: the checks the services call before adding a project or a member. Limits
// refuse creating only; a workspace over its plan's limit (back on Free after a cancellation) keeps reading, changing
// and deleting what it has.
//
// Race-safe: the count and the insert that follows must see the same world, so on a limited plan the check first locks
// the workspace row (as the owner-count rules do) and the caller inserts in that same transaction. Two creates at 2
// projects queue on the lock: the second counts 3 and is refused.
import { and, count, eq, isNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { invitations, memberships, projects } from '../db/schema'
import { PlanLimit } from '../errors'
import { lockWorkspace } from './access'
import { type Plan, workspacePlan } from './plans'

/** The plan, if it limits `what`; null when the plan has no limit (no lock, no count). */
async function limitingPlan(tx: Db, workspaceId: string, what: 'projects' | 'members'): Promise<Plan | null> {
  const plan = await workspacePlan(tx, workspaceId)
  return Number.isFinite(plan[what]) ? plan : null
}

/** Refuses, with PLAN_LIMIT, a new project the plan has no room for. Call in the transaction that inserts it. */
export async function requireRoomForProject(tx: Db, workspaceId: string): Promise<void> {
  const plan = await limitingPlan(tx, workspaceId, 'projects')
  if (!plan) return
  await lockWorkspace(tx, workspaceId)
  const [row] = await tx.select({ n: count() }).from(projects).where(eq(projects.workspaceId, workspaceId))
  if ((row?.n ?? 0) >= plan.projects) {
    throw new PlanLimit(`The ${plan.name} plan includes ${plan.projects} projects per workspace. Upgrade to Pro for unlimited projects.`, {
      upgrade: true,
    })
  }
}

/**
 * Refuses, with PLAN_LIMIT, a new seat the plan has no room for. Open invitations (pending or expired, as the members
 * page lists them, until accepted or revoked) hold a seat: inviting counts members plus open invitations, so everyone
 * invited can join and no one is told "no room" after following the link. Accepting counts members only (its own
 * invitation already held the seat), which still refuses a join when the workspace has dropped to a smaller plan
 * since the invitation was sent. Call in the transaction that inserts the invitation or the membership.
 */
export async function requireRoomForMember(tx: Db, workspaceId: string, step: 'invite' | 'accept'): Promise<void> {
  const plan = await limitingPlan(tx, workspaceId, 'members')
  if (!plan) return
  await lockWorkspace(tx, workspaceId)
  const [members] = await tx.select({ n: count() }).from(memberships).where(eq(memberships.workspaceId, workspaceId))
  let seats = members?.n ?? 0
  if (step === 'invite') {
    const [open] = await tx
      .select({ n: count() })
      .from(invitations)
      .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    seats += open?.n ?? 0
  }
  if (seats < plan.members) return
  throw step === 'invite'
    ? new PlanLimit(
        `The ${plan.name} plan includes ${plan.members} members per workspace, open invitations included. Revoke an invitation, or upgrade to Pro for unlimited members.`,
        { upgrade: true },
      )
    : new PlanLimit(
        `This workspace is at its ${plan.name} plan's limit of ${plan.members} members, so the invitation cannot be accepted now. Ask an owner of the workspace to upgrade it, then accept again.`,
      )
}
