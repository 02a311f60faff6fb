// Reading a workspace's activity: the page and GET /api/v1/activity (newest first, by id), and the rows an event
// stream sends (oldest first, after an id). Recording is services/activity.ts#recordActivity.
import { and, asc, desc, eq, gt, isNull, lt, or } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { activity, apiTokens, memberships, session, user } from '../db/schema'
import { ValidationError } from '../errors'
import { requireRole } from './access'
import { TIMESTAMP_MAX_LENGTH } from './bounds'
import { type Actor, ROLES, type ServiceContext } from './context'
import { parseInput } from './parse'
import { ONE_LINE_PATTERN } from './text'

const DISPLAY_TEXT_MAX = 200
const KIND_MAX = 64
const SUBJECT_MAX = 64
// Ids of projects and files (UUIDs) and of people (Better Auth's): letters, digits, - and _.
const ID_PATTERN = '^[A-Za-z0-9_-]+$'

// `data` is written by several services (and by code not yet written): what leaves the server is only these display
// fields, each checked, so a field added carelessly to a recordActivity call is dropped rather than published.
const DisplayText = z.string().max(DISPLAY_TEXT_MAX).meta({ pattern: ONE_LINE_PATTERN })
const ActivityData = z
  .object({
    name: DisplayText.optional().describe('the name of the project, person, file or workspace it happened to'),
    role: z.enum(ROLES).optional().describe('for member events: the role they now hold'),
    slug: DisplayText.optional().describe('for workspace.moved: the new address'),
    plan: DisplayText.optional().describe('for plan.changed: the plan now in force'),
    status: DisplayText.optional().describe('for plan.changed: the Stripe subscription status that moved it'),
  })
  .meta({ id: 'ActivityData' })

const DISPLAY_FIELDS = Object.keys(ActivityData.shape) as (keyof z.infer<typeof ActivityData>)[]

/** Keeps the display fields that pass their schema, each on its own: one bad field does not hide the rest. */
export function displayData(stored: unknown): z.infer<typeof ActivityData> {
  if (typeof stored !== 'object' || stored === null) return {}
  const kept: Record<string, unknown> = {}
  for (const field of DISPLAY_FIELDS) {
    const value = (stored as Record<string, unknown>)[field]
    if (value !== undefined && ActivityData.shape[field].safeParse(value).success) kept[field] = value
  }
  return kept
}

export const ActivityItem = z
  .object({
    id: z.int().positive().meta({ format: 'int64' }).describe('increases in commit order within the workspace; the event stream’s id'),
    kind: z
      .string()
      .max(KIND_MAX)
      .meta({ pattern: '^[a-z_]+\\.[a-z_]+$' })
      .describe('subject.verb: project.created, project.updated, project.deleted, member.joined, member.role_changed, …'),
    subjectId: z
      .string()
      .max(SUBJECT_MAX)
      .meta({ pattern: ID_PATTERN })
      .nullable()
      .describe('the id of the project, person or file it happened to'),
    actor: z
      .object({ id: z.string().max(SUBJECT_MAX).meta({ pattern: ID_PATTERN }), name: DisplayText })
      .nullable()
      .describe('who did it; null for the system, or a person whose account is gone'),
    data: ActivityData,
    createdAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
  })
  .meta({ id: 'Activity' })
export type ActivityItem = z.infer<typeof ActivityItem>

const PAGE_SIZE_MAX = 100
const Cursor = z
  .string()
  .max(20)
  .regex(/^[1-9][0-9]{0,15}$/, 'The cursor is not valid.')
export const ListActivityInput = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(50).meta({ format: 'int32' }).describe('page size, 1 to 100'),
  cursor: Cursor.optional().describe('opaque: the nextCursor of the previous page'),
})
export const ActivityPage = z.object({
  items: z.array(ActivityItem).max(PAGE_SIZE_MAX),
  nextCursor: Cursor.nullable().describe('pass as cursor to get older activity; null on the last page'),
})
export type ActivityPage = z.infer<typeof ActivityPage>

const columns = {
  id: activity.id,
  kind: activity.kind,
  subjectId: activity.subjectId,
  actorId: activity.actorId,
  actorName: user.name,
  data: activity.data,
  createdAt: activity.createdAt,
}
type Row = {
  id: number
  kind: string
  subjectId: string | null
  actorId: string | null
  actorName: string | null
  data: unknown
  createdAt: Date
}

function toItem(row: Row): ActivityItem {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subjectId,
    actor: row.actorId ? { id: row.actorId, name: (row.actorName ?? '').slice(0, DISPLAY_TEXT_MAX) } : null,
    data: displayData(row.data),
    createdAt: row.createdAt.toISOString(),
  }
}

const select = (db: Db) => db.select(columns).from(activity).leftJoin(user, eq(user.id, activity.actorId))

/** The workspace's activity, newest first; any member may read it. */
export async function list(ctx: ServiceContext, input: z.input<typeof ListActivityInput>): Promise<ActivityPage> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { limit, cursor } = parseInput(ListActivityInput, input)
  const before = cursor === undefined ? null : Number(cursor)
  if (before !== null && !Number.isSafeInteger(before)) throw new ValidationError({ cursor: ['The cursor is not valid.'] })
  const rows = await select(ctx.db)
    .where(and(eq(activity.workspaceId, workspaceId), before === null ? undefined : lt(activity.id, before)))
    .orderBy(desc(activity.id))
    .limit(limit + 1)
  const items = rows.slice(0, limit).map(toItem)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : null }
}

/** What a stream sends after `afterId` (oldest first, at most `limit`): the replay on reconnect, and each announced id. */
export async function activityAfter(db: Db, workspaceId: string, afterId: number, limit: number): Promise<ActivityItem[]> {
  const rows = await select(db)
    .where(and(eq(activity.workspaceId, workspaceId), gt(activity.id, afterId)))
    .orderBy(asc(activity.id))
    .limit(limit)
  return rows.map(toItem)
}

/** The newest id of the workspace's activity (0 if none): where a new stream without Last-Event-ID starts. */
export async function latestActivityId(db: Db, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ id: activity.id })
    .from(activity)
    .where(eq(activity.workspaceId, workspaceId))
    .orderBy(desc(activity.id))
    .limit(1)
  return row?.id ?? 0
}

/**
 * Whether a stream opened by `actor` in the workspace may go on: the member is still a member, and the token is not
 * revoked or expired (or the session not ended). An open stream is checked again with this, from the database, on
 * every announced change of access and at every heartbeat.
 */
export async function streamStillEntitled(db: Db, actor: Actor, workspaceId: string, now: Date): Promise<boolean> {
  if (actor.type !== 'user') return false
  const member = and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, actor.userId))
  if (actor.via === 'token') {
    const [row] = await db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .innerJoin(memberships, and(eq(memberships.workspaceId, apiTokens.workspaceId), eq(memberships.userId, apiTokens.userId)))
      .where(
        and(
          eq(apiTokens.id, actor.tokenId),
          eq(apiTokens.workspaceId, workspaceId),
          isNull(apiTokens.revokedAt),
          or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        ),
      )
    return row !== undefined
  }
  const [row] = await db.select({ role: memberships.role }).from(memberships).where(member)
  if (!row) return false
  if (!actor.sessionId) return true
  const [current] = await db
    .select({ id: session.id })
    .from(session)
    .where(and(eq(session.id, actor.sessionId), gt(session.expiresAt, now)))
  return current !== undefined
}

/** How many rows of the workspace's activity follow `afterId`, counted up to `cap` (a bounded replay's check). */
export async function countActivityAfter(db: Db, workspaceId: string, afterId: number, cap: number): Promise<number> {
  const rows = await db
    .select({ id: activity.id })
    .from(activity)
    .where(and(eq(activity.workspaceId, workspaceId), gt(activity.id, afterId)))
    .limit(cap)
  return rows.length
}
