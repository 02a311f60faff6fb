// Files on projects: listing, reading, uploading and deleting. Any member may list, download and upload; a file may be
// deleted by the person who uploaded it, or by an admin or owner (members share a project's files, so one member
// must not be able to destroy another's work; admins tidy up after people who left).
//
// An upload streams to storage as it arrives (never held in memory), checked on the way (services/../files/inspect.ts:
// size against the plan, SHA-256, type from content). The row is written only once every byte is stored; if anything
// fails first, the stored bytes are removed and no row exists. If the process dies mid-upload, the key entered in
// `file_purges` before the first byte lets the purge remove what was left a day later.
import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { and, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { filePurges, files, projects, user } from '../db/schema'
import { NotFound, TooLarge, ValidationError } from '../errors'
import { inspector, UploadTooLarge, UploadTypeRefused } from '../files/inspect'
import { UPLOAD_GRACE_MS } from '../files/purge'
import type { ByteRange } from '../files/storage'
import { storageKey } from '../files/storage'
import { needsRole, requireRole } from './access'
import { recordActivity } from './activity'
import { isUuid, TIMESTAMP_MAX_LENGTH, UUID_LENGTH } from './bounds'
import { roleAtLeast, type ServiceContext } from './context'
import { parseInput } from './parse'
import { workspacePlan } from './plans'
import { codePointLength } from './text'

export const FILE_NAME_MAX = 255
/** The most files a project's list returns (newest first). */
export const FILE_LIST_MAX = 500

// Path separators, C0/C1 controls, and the bidirectional overrides that make "gpj.exe" read as "exe.jpg".
export const FILE_NAME_PATTERN = '^[^/\\\\\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$'
const SAFE_NAME = new RegExp(FILE_NAME_PATTERN, 'u')

export const FileName = z
  .string({ error: 'The file needs a name.' })
  .trim()
  .normalize('NFC')
  .min(1, 'The file needs a name.')
  .refine((s) => codePointLength(s) <= FILE_NAME_MAX, `A file name must be at most ${FILE_NAME_MAX} characters.`)
  .refine((s) => SAFE_NAME.test(s), 'A file name must not contain slashes, backslashes or control characters.')
  .refine((s) => !/^\.+$/.test(s), 'A file name must not be only dots.')
  .meta({ minLength: 1, maxLength: FILE_NAME_MAX, pattern: FILE_NAME_PATTERN })

export const FileInfo = z
  .object({
    id: z.uuid().max(UUID_LENGTH),
    projectId: z.uuid().max(UUID_LENGTH),
    name: z.string().meta({ maxLength: FILE_NAME_MAX, pattern: FILE_NAME_PATTERN }),
    contentType: z
      .string()
      .max(200)
      .regex(/^[a-z]+\/[a-z0-9.+-]+(; charset=utf-8)?$/)
      .describe('decided from the content, not from what the uploader declared'),
    size: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe('in bytes'),
    sha256: z
      .string()
      .length(64)
      .regex(/^[0-9a-f]{64}$/)
      .describe('hex SHA-256 of the content; the download’s ETag'),
    uploadedBy: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/)
      .nullable()
      .describe('the uploader’s user id; null once their account is deleted'),
    createdAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
  })
  .meta({ id: 'File' })
export type FileInfo = z.infer<typeof FileInfo>
/** A file as the app's pages show it: with the uploader's name. */
export type ListedFile = FileInfo & { uploaderName: string | null }

export const FileList = z.object({ items: z.array(FileInfo).max(FILE_LIST_MAX) })

const ProjectId = z.string().describe('the project id (a UUID)')
const FileId = z.string().describe('the file id (a UUID)')
export const ListFilesInput = z.object({ id: ProjectId })
export const FileInput = z.object({ id: ProjectId, fileId: FileId })
export const UploadFileInput = z.object({
  id: ProjectId,
  name: z.string().max(4096),
  /** The content, read once, as it arrives. */
  body: z.custom<Readable>((value) => typeof value === 'object' && value !== null && 'pipe' in value, 'Choose a file to upload.'),
})

type Row = typeof files.$inferSelect

function toFileInfo(row: Row): FileInfo {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    contentType: row.contentType,
    size: row.size,
    sha256: row.sha256,
    uploadedBy: row.uploadedBy,
    createdAt: row.createdAt.toISOString(),
  }
}

async function requireProject(ctx: ServiceContext, workspaceId: string, projectId: string): Promise<void> {
  if (!isUuid(projectId)) throw new NotFound('Project')
  const [found] = await ctx.db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.workspaceId, workspaceId)))
  if (!found) throw new NotFound('Project')
}

async function findFile(ctx: ServiceContext, workspaceId: string, projectId: string, fileId: string): Promise<Row> {
  if (!isUuid(projectId) || !isUuid(fileId)) throw new NotFound('File')
  const [row] = await ctx.db
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.projectId, projectId), eq(files.workspaceId, workspaceId)))
  if (!row) throw new NotFound('File')
  return row
}

export async function list(ctx: ServiceContext, input: z.input<typeof ListFilesInput>): Promise<{ items: ListedFile[] }> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { id } = parseInput(ListFilesInput, input)
  await requireProject(ctx, workspaceId, id)
  const rows = await ctx.db
    .select({ file: files, uploaderName: user.name })
    .from(files)
    .leftJoin(user, eq(user.id, files.uploadedBy))
    .where(and(eq(files.projectId, id), eq(files.workspaceId, workspaceId)))
    .orderBy(desc(files.createdAt), desc(files.id))
    .limit(FILE_LIST_MAX)
  return { items: rows.map(({ file, uploaderName }) => ({ ...toFileInfo(file), uploaderName })) }
}

export async function get(ctx: ServiceContext, input: z.input<typeof FileInput>): Promise<FileInfo> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { id, fileId } = parseInput(FileInput, input)
  return toFileInfo(await findFile(ctx, workspaceId, id, fileId))
}

export type OpenedFile = {
  file: FileInfo
  /** The content, or the range of it; null if the bytes are gone (deleted since the row was read). */
  read(range?: ByteRange): Promise<Readable | null>
}

export const OpenedFileSchema = z.custom<OpenedFile>(
  (value) => typeof value === 'object' && value !== null && 'file' in value && 'read' in value && typeof value.read === 'function',
)

/** A file's description and a way to read its bytes: what a download needs. */
export async function open(ctx: ServiceContext, input: z.input<typeof FileInput>): Promise<OpenedFile> {
  const { storage } = ctx
  const { workspaceId } = await requireRole(ctx, 'member')
  const { id, fileId } = parseInput(FileInput, input)
  const row = await findFile(ctx, workspaceId, id, fileId)
  return { file: toFileInfo(row), read: (range) => storage.get(row.storageKey, range) }
}

/** Too large for the plan: 413, saying the limit and the plan. */
export class FileTooLarge extends TooLarge {
  constructor(limitBytes: number, planName: string) {
    super(limitBytes)
    this.message = `The file is larger than ${formatBytes(limitBytes)}, the most the ${planName} plan allows.`
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`
  return `${bytes} bytes`
}

/** The most a workspace may upload in one file, by its plan. */
export async function uploadLimit(ctx: ServiceContext, workspaceId: string) {
  const plan = await workspacePlan(ctx.db, workspaceId)
  return { bytes: plan.uploadBytes, planName: plan.name }
}

/**
 * Whether the actor may upload to the project at all: checked before a byte of the request's body is read, so that
 * a caller with no right to the project (another workspace's id) is refused without the server reading anything.
 * upload() checks again, as it must for any caller.
 */
export async function checkUpload(ctx: ServiceContext, input: z.input<typeof ListFilesInput>): Promise<void> {
  const { workspaceId } = await requireRole(ctx, 'member')
  const { id } = parseInput(ListFilesInput, input)
  await requireProject(ctx, workspaceId, id)
}

export async function upload(ctx: ServiceContext, input: z.input<typeof UploadFileInput>): Promise<FileInfo> {
  const { storage } = ctx
  const { body } = input
  try {
    const { workspaceId, userId } = await requireRole(ctx, 'member')
    const { id: projectId } = parseInput(UploadFileInput, input)
    const name = parseInput(z.object({ name: FileName }), { name: input.name }).name
    await requireProject(ctx, workspaceId, projectId)
    const limit = await uploadLimit(ctx, workspaceId)

    const fileId = randomUUID()
    const key = storageKey({ workspaceId, projectId, fileId })
    // Entered before the first byte is stored: a crash from here on leaves a key the purge will find.
    await ctx.db.insert(filePurges).values({ storageKey: key, purgeAfter: new Date(ctx.now().getTime() + UPLOAD_GRACE_MS) })
    try {
      const check = inspector(limit.bytes)
      // pipeline(), not pipe(): a body that failed (a cut-off form, a client gone away), even before this line, fails
      // the store rather than leaving it waiting for bytes that never come; a refused file or a failed store stops
      // the body. Both are awaited, so the store has removed what it wrote before the upload answers.
      // A store that fails without reading (a directory it cannot make) must stop the check too, or the body waits.
      // It is destroyed without an error: the body's pipeline may already have finished and stopped listening, and an
      // 'error' nobody listens for ends the process. The store's own error is the one reported.
      const store = storage.put(key, check.stream).catch((error: unknown) => {
        check.stream.destroy()
        throw error
      })
      const [fed, stored] = await Promise.allSettled([pipeline(body, check.stream), store])
      if (stored.status === 'rejected') throw stored.reason
      if (fed.status === 'rejected') throw fed.reason
      const inspection = check.result()
      if (inspection.size === 0) throw new ValidationError({ file: ['The file is empty.'] })
      const row = await ctx.db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(files)
          .values({
            id: fileId,
            workspaceId,
            projectId,
            uploadedBy: userId,
            name,
            contentType: inspection.contentType,
            size: inspection.size,
            sha256: inspection.sha256,
            storageKey: key,
            createdAt: ctx.now(),
          })
          .returning()
        if (!inserted) throw new Error('insert returned no row')
        await tx.delete(filePurges).where(eq(filePurges.storageKey, key))
        await recordActivity(tx, {
          workspaceId,
          actorId: userId,
          kind: 'file.uploaded',
          subjectId: fileId,
          data: { name, projectId, size: inspection.size },
        })
        return inserted
      })
      return toFileInfo(row)
    } catch (error) {
      await storage.delete(key)
      await ctx.db.delete(filePurges).where(eq(filePurges.storageKey, key))
      throw uploadError(error, limit)
    }
  } finally {
    // Whatever happened, stop reading the client's body (a refused upload is not read to its end).
    if (!body.destroyed && !body.readableEnded) body.destroy()
  }
}

function uploadError(error: unknown, limit: { bytes: number; planName: string }): unknown {
  if (error instanceof UploadTooLarge) return new FileTooLarge(limit.bytes, limit.planName)
  if (error instanceof UploadTypeRefused) {
    return new ValidationError({
      file: [
        error.detected
          ? `Files of type ${error.detected} cannot be uploaded.`
          : 'This type of file cannot be uploaded: use an image, PDF, office document, archive, audio, video or plain text.',
      ],
    })
  }
  return error
}

/**
 * Deletes the file's row (and, through the database's trigger, enters its bytes for removal after the commit); then
 * removes the bytes at once. Should that fail (the process ends, the store is down), the purge worker removes them.
 */
export async function remove(ctx: ServiceContext, input: z.input<typeof FileInput>): Promise<FileInfo> {
  const { id, fileId } = parseInput(FileInput, input)
  const removed = await ctx.db.transaction(async (tx) => {
    const access = await requireRole(ctx, 'member', tx)
    const row = await findFile({ ...ctx, db: tx }, access.workspaceId, id, fileId)
    if (row.uploadedBy !== access.userId && !roleAtLeast(access.role, 'admin')) throw needsRole('admin')
    await tx.delete(files).where(eq(files.id, row.id))
    await recordActivity(tx, {
      workspaceId: access.workspaceId,
      actorId: access.userId,
      kind: 'file.deleted',
      subjectId: row.id,
      data: { name: row.name, projectId: row.projectId },
    })
    return row
  })
  await ctx.storage.delete(removed.storageKey)
  await ctx.db.delete(filePurges).where(eq(filePurges.storageKey, removed.storageKey))
  return toFileInfo(removed)
}
