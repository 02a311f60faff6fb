// Workspaces, the tenant: creating them (a personal one at sign-up), listing a person's, renaming, changing the
// address, leaving and deleting. Projects, tokens and invitations belong to one, and go with it.
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { preparedOnce } from '../db/prepared'
import { apiTokens, invitations, memberships, user, workspaces } from '../db/schema'
import { Conflict, isUniqueViolation, PlanLimit, ValidationError } from '../errors'
import { cancelPendingMail } from '../mail/outbox'
import { lockWorkspace, requireRole } from './access'
import { recordActivity } from './activity'
import { TIMESTAMP_MAX_LENGTH, UUID_LENGTH } from './bounds'
import { ROLES, requireSessionUser, requireUserId, type ServiceContext } from './context'
import { parseInput } from './parse'
import { SLUG_MAX, SLUG_PATTERN, Slug, slugFrom, withSuffix } from './slugs'
import { nameField, ONE_LINE_PATTERN } from './text'
import { announceAuthChange } from './token-cache'

export const WORKSPACE_NAME_MAX = 60
/** Workspaces one person may belong to: enough for any real use, and a bound on what one account can make. */
export const WORKSPACES_PER_PERSON_MAX = 50

export const Workspace = z
  .object({
    id: z.uuid().max(UUID_LENGTH),
    name: z.string().meta({ maxLength: WORKSPACE_NAME_MAX, pattern: ONE_LINE_PATTERN }),
    slug: z.string().max(SLUG_MAX).meta({ pattern: SLUG_PATTERN }),
    role: z.enum(ROLES).describe('the caller’s role in this workspace'),
    createdAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
  })
  .meta({ id: 'Workspace' })
export type Workspace = z.infer<typeof Workspace>

export const WorkspaceList = z.object({ items: z.array(Workspace).max(WORKSPACES_PER_PERSON_MAX) })
export type WorkspaceList = z.infer<typeof WorkspaceList>

const WorkspaceName = nameField('Name', WORKSPACE_NAME_MAX)
export const CreateWorkspaceInput = z.object({
  name: WorkspaceName,
  slug: z.preprocess((v) => (v === '' ? undefined : v), Slug.optional()),
})
export const RenameWorkspaceInput = z.object({ name: WorkspaceName })
export const ChangeSlugInput = z.object({ slug: Slug })
export const DeleteWorkspaceInput = z.object({
  confirm: z
    .string()
    .max(SLUG_MAX + 20)
    .default(''),
})

type Row = typeof workspaces.$inferSelect
const toWorkspace = (row: Row, role: Workspace['role']): Workspace => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role,
  createdAt: row.createdAt.toISOString(),
})

const SLUG_TAKEN = 'workspaces_slug_unique'
const TAKEN = () => new ValidationError({ slug: ['That address is taken. Choose another.'] })

/**
 * Inserts a workspace with `owner` as its owner, in `tx`. A slug the person chose and someone has is a field error;
 * a slug made from the name gets a random suffix until it is free.
 */
async function insertWorkspace(tx: Db, owner: string, name: string, slug: string | null, now: Date): Promise<Row> {
  let candidate = slug ?? slugFrom(name)
  for (let attempt = 0; ; attempt++) {
    try {
      // A savepoint per attempt: a unique violation must not abort the surrounding transaction.
      const row = await tx.transaction(async (sp) => {
        const [inserted] = await sp.insert(workspaces).values({ name, slug: candidate, createdAt: now, updatedAt: now }).returning()
        if (!inserted) throw new Error('insert returned no row')
        return inserted
      })
      await tx.insert(memberships).values({ workspaceId: row.id, userId: owner, role: 'owner', createdAt: now })
      return row
    } catch (error) {
      if (!isUniqueViolation(error, SLUG_TAKEN)) throw error
      if (slug || attempt >= 5) throw TAKEN()
      candidate = withSuffix(slugFrom(name))
    }
  }
}

/** The workspace every person starts with, named after them. Called once when the account is created. */
export async function createPersonal(db: Db, person: { id: string; name: string }, now = new Date()): Promise<Workspace> {
  const row = await db.transaction((tx) =>
    insertWorkspace(tx, person.id, person.name.slice(0, WORKSPACE_NAME_MAX).trim() || 'Personal', null, now),
  )
  return toWorkspace(row, 'owner')
}

export async function create(ctx: ServiceContext, input: z.input<typeof CreateWorkspaceInput>): Promise<Workspace> {
  const userId = requireSessionUser(ctx.actor, 'Workspaces can be created')
  const { name, slug } = parseInput(CreateWorkspaceInput, input)
  const row = await ctx.db.transaction(async (tx) => {
    const [mine] = await tx.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId))
    if ((mine?.n ?? 0) >= WORKSPACES_PER_PERSON_MAX) {
      throw new PlanLimit(`You can belong to at most ${WORKSPACES_PER_PERSON_MAX} workspaces. Leave one first.`)
    }
    return insertWorkspace(tx, userId, name, slug ?? null, ctx.now())
  })
  return toWorkspace(row, 'owner')
}

/** The caller's workspaces, oldest membership first (the personal one leads): a token sees only its own. */
export async function listMine(ctx: ServiceContext): Promise<WorkspaceList> {
  const userId = requireUserId(ctx.actor)
  const rows = await ctx.db
    .select({ workspace: workspaces, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(
      ctx.actor.type === 'user' && ctx.actor.via === 'token'
        ? and(eq(memberships.userId, userId), eq(memberships.workspaceId, ctx.actor.workspaceId))
        : eq(memberships.userId, userId),
    )
    .orderBy(asc(memberships.createdAt), asc(workspaces.slug))
  return { items: rows.map((r) => toWorkspace(r.workspace, r.role)) }
}

/** The workspace the caller acts in, with their role in it. */
const workspaceById = preparedOnce((db) =>
  db
    .select()
    .from(workspaces)
    .where(eq(workspaces.id, sql.placeholder('id')))
    .prepare('workspace_by_id'),
)

export async function current(ctx: ServiceContext): Promise<Workspace> {
  const access = await requireRole(ctx, 'member')
  const [row] = await workspaceById(ctx.db).execute({ id: access.workspaceId })
  if (!row) throw new Conflict('The workspace was deleted.')
  return toWorkspace(row, access.role)
}

export async function rename(ctx: ServiceContext, input: z.input<typeof RenameWorkspaceInput>): Promise<Workspace> {
  const access = await requireRole(ctx, 'owner')
  const { name } = parseInput(RenameWorkspaceInput, input)
  const row = await ctx.db.transaction(async (tx) => {
    const [renamed] = await tx
      .update(workspaces)
      .set({ name, updatedAt: ctx.now() })
      .where(eq(workspaces.id, access.workspaceId))
      .returning()
    if (!renamed) throw new Conflict('The workspace was deleted.')
    const data = { name: renamed.name }
    await recordActivity(tx, { workspaceId: renamed.id, actorId: access.userId, kind: 'workspace.renamed', subjectId: renamed.id, data })
    return renamed
  })
  return toWorkspace(row, access.role)
}

/** Moves the workspace to a new address. Old links then answer 404: a slug is never redirected, so a freed one
 * taken by another workspace cannot send a bookmark there. */
export async function changeSlug(ctx: ServiceContext, input: z.input<typeof ChangeSlugInput>): Promise<Workspace> {
  const access = await requireRole(ctx, 'owner')
  const { slug } = parseInput(ChangeSlugInput, input)
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const [moved] = await tx
        .update(workspaces)
        .set({ slug, updatedAt: ctx.now() })
        .where(eq(workspaces.id, access.workspaceId))
        .returning()
      if (!moved) throw new Conflict('The workspace was deleted.')
      const data = { slug: moved.slug }
      await recordActivity(tx, { workspaceId: moved.id, actorId: access.userId, kind: 'workspace.moved', subjectId: moved.id, data })
      return moved
    })
    return toWorkspace(row, access.role)
  } catch (error) {
    if (isUniqueViolation(error, SLUG_TAKEN)) throw TAKEN()
    throw error
  }
}

/** Deletes the workspace with its projects, tokens, memberships and invitations, in one statement (the foreign keys
 * cascade). The caller types the slug to confirm. */
export async function remove(ctx: ServiceContext, input: z.input<typeof DeleteWorkspaceInput>): Promise<Workspace> {
  const access = await requireRole(ctx, 'owner')
  const { confirm } = parseInput(DeleteWorkspaceInput, input)
  const [existing] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, access.workspaceId))
  if (!existing) throw new Conflict('The workspace was deleted.')
  if (confirm.trim() !== existing.slug) {
    throw new ValidationError({ confirm: [`Type ${existing.slug} to confirm.`] }, 'Type the workspace’s address to confirm.')
  }
  const [deleted] = await ctx.db.transaction(async (tx) => {
    // Invitation e-mails not sent yet would carry links to a workspace that no longer exists.
    const open = await tx
      .select({ mailId: invitations.mailId })
      .from(invitations)
      .where(and(eq(invitations.workspaceId, access.workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    await cancelPendingMail(
      tx,
      open.flatMap((r) => (r.mailId ? [r.mailId] : [])),
      'the workspace was deleted',
    )
    const rows = await tx.delete(workspaces).where(eq(workspaces.id, access.workspaceId)).returning()
    await announceAuthChange(tx)
    return rows
  })
  if (!deleted) throw new Conflict('The workspace was deleted.')
  return toWorkspace(deleted, access.role)
}

export const LAST_OWNER = 'A workspace needs an owner: make someone else an owner first, or delete the workspace.'

/** Leaves the workspace. The last owner cannot: the workspace would have nobody who may manage or delete it. */
export async function leave(ctx: ServiceContext): Promise<Workspace> {
  const access = await requireRole(ctx, 'member')
  return ctx.db.transaction(async (tx) => {
    await lockWorkspace(tx, access.workspaceId)
    const [me] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, access.workspaceId), eq(memberships.userId, access.userId)))
    if (!me) throw new Conflict('You are no longer a member of this workspace.')
    if (me.role === 'owner') await requireAnotherOwner(tx, access.workspaceId)
    await removeMembership(tx, access.workspaceId, access.userId, ctx.now())
    const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, access.workspaceId))
    if (!row) throw new Conflict('The workspace was deleted.')
    const [person] = await tx.select({ name: user.name }).from(user).where(eq(user.id, access.userId))
    const data = { name: person?.name ?? '' }
    await recordActivity(tx, { workspaceId: row.id, actorId: access.userId, kind: 'member.left', subjectId: access.userId, data })
    return toWorkspace(row, me.role)
  })
}

/** Refuses, with LAST_OWNER, unless the workspace has more than one owner. Call under lockWorkspace. */
export async function requireAnotherOwner(tx: Db, workspaceId: string): Promise<void> {
  const [owners] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')))
  if ((owners?.n ?? 0) <= 1) throw new Conflict(LAST_OWNER)
}

/** Ends a membership and revokes the tokens its holder made for this workspace, so re-joining does not revive them. */
export async function removeMembership(tx: Db, workspaceId: string, userId: string, now: Date): Promise<void> {
  await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
  await announceAuthChange(tx)
  await tx
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
}
