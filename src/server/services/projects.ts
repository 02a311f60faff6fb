// Projects: the rules for listing, reading, creating, changing and deleting a workspace's projects. Any member may
// do all of these; the workspace is the caller's (the URL's for a session, the token's for the API).
import { and, desc, eq, lt, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import { preparedOnce, unmappedRows } from '../db/prepared'
import { projects } from '../db/schema'
import { NotFound, PreconditionFailed, ValidationError } from '../errors'
import { requireRole } from './access'
import { recordActivity } from './activity'
import { INT4_MAX, isStorableDate, isUuid, TIMESTAMP_MAX_LENGTH, UUID_LENGTH } from './bounds'
import type { ServiceContext } from './context'
import { parseInput } from './parse'
import { requireRoomForProject } from './plan-limits'
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX } from './project-limits'
import { FREE_TEXT_PATTERN, longTextField, nameField, ONE_LINE_PATTERN } from './text'

export const Project = z
  .object({
    id: z.uuid().max(UUID_LENGTH),
    // Published, not re-checked on the way out: the input schemas enforce these in code points, and z.string().max
    // would count UTF-16 units instead and refuse a stored 100-emoji name.
    name: z.string().meta({ maxLength: PROJECT_NAME_MAX, pattern: ONE_LINE_PATTERN }),
    description: z.string().meta({ maxLength: PROJECT_DESCRIPTION_MAX, pattern: FREE_TEXT_PATTERN }),
    version: z
      .int()
      .positive()
      .max(INT4_MAX)
      .meta({ format: 'int32' })
      .describe('increases by one on every change; the ETag is derived from it'),
    createdAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
    updatedAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
  })
  .meta({ id: 'Project' })
export type Project = z.infer<typeof Project>

const ProjectId = z.string().describe('the project id (a UUID)')

const PAGE_SIZE_MAX = 100
const CURSOR_MAX_LENGTH = 200
const Cursor = z
  .string()
  .max(CURSOR_MAX_LENGTH)
  .regex(/^[A-Za-z0-9_-]*$/, 'The cursor is not valid.')

export const ListProjectsInput = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(20).meta({ format: 'int32' }).describe('page size, 1 to 100'),
  cursor: Cursor.optional().describe('opaque: the nextCursor of the previous page'),
})
export const ProjectPage = z.object({
  items: z.array(Project).max(PAGE_SIZE_MAX),
  nextCursor: Cursor.nullable().describe('pass as cursor to get the next page; null on the last page'),
})
export type ProjectPage = z.infer<typeof ProjectPage>

export const GetProjectInput = z.object({ id: ProjectId })

export const CreateProjectInput = z.object({
  name: nameField('Name', PROJECT_NAME_MAX),
  description: longTextField('Description', PROJECT_DESCRIPTION_MAX).default(''),
})

export const UpdateProjectInput = z.object({
  id: ProjectId,
  name: nameField('Name', PROJECT_NAME_MAX).optional(),
  description: longTextField('Description', PROJECT_DESCRIPTION_MAX).optional(),
  /** Only change the project if it is still at this version (HTTP If-Match). */
  expectedVersion: z.int().positive().max(INT4_MAX).optional(),
})

export const DeleteProjectInput = z.object({
  id: ProjectId,
  expectedVersion: z.int().positive().max(INT4_MAX).optional(),
})

type Row = typeof projects.$inferSelect
function toProject(row: Row): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function inWorkspace(workspaceId: string, id: string) {
  if (!isUuid(id)) throw new NotFound('Project')
  return and(eq(projects.id, id), eq(projects.workspaceId, workspaceId))
}

// The cursor is opaque to clients; inside it is the (createdAt, id) of the last row of the page.
function encodeCursor(p: Project): string {
  return Buffer.from(`${p.createdAt}|${p.id}`).toString('base64url')
}
// A cursor this server could not have made (a date outside what PostgreSQL holds, a non-canonical date, an id that
// is not a UUID) is 422, never a query: only a cursor of our own making is followed, and a stale one simply finds
// the rows after its position.
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [createdAt = '', id = '', ...rest] = Buffer.from(cursor, 'base64url').toString().split('|')
  const at = new Date(createdAt)
  const canonical = isStorableDate(at) && at.toISOString() === createdAt
  if (!canonical || !isUuid(id) || rest.length) throw new ValidationError({ cursor: ['The cursor is not valid.'] })
  return { createdAt: at, id }
}

/**
 * A timestamp as toISOString() writes it, made by the database: the list's rows need no Date at all. node-postgres
 * would parse each timestamp into a Date (through Next's wrapped Date constructor, on the app) only for us to print
 * it again, and for a page of 20 that was a measurable share of the list's CPU. Stored times have millisecond
 * precision (create and update take them from the context's clock), so MS loses nothing.
 */
const isoTimestamp = (column: typeof projects.createdAt | typeof projects.updatedAt, as: keyof Project) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(as)

/**
 * A project as the API shows it, straight from the row: every key is also the column's name in the result, and
 * nothing needs decoding, so the list takes the driver's rows as they are (db/prepared.ts unmappedRows).
 */
const projectColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  version: projects.version,
  createdAt: isoTimestamp(projects.createdAt, 'createdAt'),
  updatedAt: isoTimestamp(projects.updatedAt, 'updatedAt'),
}

// The list is the API's busiest read: both of its shapes (the first page, and a page after a cursor) are prepared.
const firstPage = preparedOnce((db) =>
  db
    .select(projectColumns)
    .from(projects)
    .where(eq(projects.workspaceId, sql.placeholder('workspaceId')))
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(sql.placeholder('limit'))
    .prepare('projects_first_page'),
)
const pageAfter = preparedOnce((db) =>
  db
    .select(projectColumns)
    .from(projects)
    .where(
      and(
        eq(projects.workspaceId, sql.placeholder('workspaceId')),
        or(
          lt(projects.createdAt, sql.placeholder('createdAt')),
          and(eq(projects.createdAt, sql.placeholder('createdAt')), lt(projects.id, sql.placeholder('id'))),
        ),
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(sql.placeholder('limit'))
    .prepare('projects_page_after'),
)

export async function list(ctx: ServiceContext, input: z.input<typeof ListProjectsInput>): Promise<ProjectPage> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { limit, cursor } = parseInput(ListProjectsInput, input)
  const after = cursor ? decodeCursor(cursor) : null
  // One row more than the page, to know whether another follows.
  const rows = after
    ? await unmappedRows(pageAfter(ctx.db), { workspaceId, limit: limit + 1, createdAt: after.createdAt, id: after.id })
    : await unmappedRows(firstPage(ctx.db), { workspaceId, limit: limit + 1 })
  const items: Project[] = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}

export async function get(ctx: ServiceContext, input: z.input<typeof GetProjectInput>): Promise<Project> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { id } = parseInput(GetProjectInput, input)
  return getIn(ctx, workspaceId, id)
}

async function getIn(ctx: ServiceContext, workspaceId: string, id: string): Promise<Project> {
  const [row] = await ctx.db.select().from(projects).where(inWorkspace(workspaceId, id))
  if (!row) throw new NotFound('Project')
  return toProject(row)
}

export async function create(ctx: ServiceContext, input: z.input<typeof CreateProjectInput>): Promise<Project> {
  const { workspaceId, userId } = await requireRole(ctx, 'member')
  const { name, description } = parseInput(CreateProjectInput, input)
  // The clock comes from the context, at millisecond precision, so cursors built from it round-trip exactly.
  const now = ctx.now()
  return ctx.db.transaction(async (tx) => {
    await requireRoomForProject(tx, workspaceId)
    const [row] = await tx
      .insert(projects)
      .values({ workspaceId, createdBy: userId, name, description, createdAt: now, updatedAt: now })
      .returning()
    if (!row) throw new Error('insert returned no row')
    await recordActivity(tx, { workspaceId, actorId: userId, kind: 'project.created', subjectId: row.id, data: { name: row.name } })
    return toProject(row)
  })
}

export async function update(ctx: ServiceContext, input: z.input<typeof UpdateProjectInput>): Promise<Project> {
  const { workspaceId, userId } = await requireRole(ctx, 'member')
  const { id, name, description, expectedVersion } = parseInput(UpdateProjectInput, input)
  const where = inWorkspace(workspaceId, id)
  if (name === undefined && description === undefined) {
    const current = await getIn(ctx, workspaceId, id)
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw new PreconditionFailed()
    return current
  }
  const row = await ctx.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(projects)
      .set({ name, description, version: sql`${projects.version} + 1`, updatedAt: ctx.now() })
      .where(expectedVersion === undefined ? where : and(where, eq(projects.version, expectedVersion)))
      .returning()
    if (updated) {
      const data = { name: updated.name }
      await recordActivity(tx, { workspaceId, actorId: userId, kind: 'project.updated', subjectId: updated.id, data })
    }
    return updated
  })
  if (row) return toProject(row)
  // Nothing matched: either it is not (or no longer) in the workspace, or it moved past the expected version.
  await getIn(ctx, workspaceId, id)
  throw new PreconditionFailed()
}

/** Deletes the project and returns it as it was, so callers can say what they removed. */
export async function remove(ctx: ServiceContext, input: z.input<typeof DeleteProjectInput>): Promise<Project> {
  const { workspaceId, userId } = await requireRole(ctx, 'member')
  const { id, expectedVersion } = parseInput(DeleteProjectInput, input)
  const where = inWorkspace(workspaceId, id)
  const deleted = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(projects)
      .where(expectedVersion === undefined ? where : and(where, eq(projects.version, expectedVersion)))
      .returning()
    if (row)
      await recordActivity(tx, { workspaceId, actorId: userId, kind: 'project.deleted', subjectId: row.id, data: { name: row.name } })
    return row
  })
  if (deleted) return toProject(deleted)
  await getIn(ctx, workspaceId, id)
  throw new PreconditionFailed()
}
