// The file service without HTTP: uploads cut off mid-stream, checksums of large streamed files, who may delete, the
// purge of bytes left by a crash or by deleting a workspace, the same rules on S3 storage (against the stand-in), and the
// download headers' building blocks.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { filePurges, files, memberships, workspaceBilling, workspaces } from '../../src/server/db/schema'
import { purgeDue, UPLOAD_GRACE_MS } from '../../src/server/files/purge'
import { PART_BYTES, s3Storage } from '../../src/server/files/s3-storage'
import type { FileStorage } from '../../src/server/files/storage'
import { storageKey } from '../../src/server/files/storage'
import { contentDisposition, requestedRange } from '../../src/server/http/download'
import type { ServiceContext } from '../../src/server/services/context'
import * as fileService from '../../src/server/services/files'
import * as projects from '../../src/server/services/projects'
import * as workspaceService from '../../src/server/services/workspaces'
import { temporaryStorage } from '../support/api'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { filesOnDisk, pngBytes } from '../support/files'
import { type S3Standin, startS3Standin } from '../support/s3'

let database: Database
const local = temporaryStorage()

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

async function personWithProject(storage: FileStorage, opts: { pro?: boolean } = {}) {
  const userId = await createUser(database)
  const ctx: ServiceContext = { ...contextFor(database, sessionActor(userId)), storage }
  if (opts.pro) {
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(userId)))
    await database.db.insert(workspaceBilling).values({ workspaceId: space?.id ?? '', status: 'active' })
  }
  const project = await projects.create(ctx, { name: 'P' })
  return { userId, ctx, projectId: project.id }
}

/** A stream of `total` bytes (a PNG head, then noise) in 64 KiB chunks, made as it is read, never held whole. */
function generated(total: number, failAfter?: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256')
  let sent = 0
  const head = pngBytes(64 * 1024)
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error('the client went away'))
        return
      }
      if (sent >= total) {
        this.push(null)
        return
      }
      const size = Math.min(64 * 1024, total - sent)
      const chunk = sent === 0 ? head.subarray(0, size) : Buffer.alloc(size, sent % 251)
      hash.update(chunk)
      sent += size
      this.push(chunk)
    },
  })
  return { stream, digest: () => hash.digest('hex') }
}

describe('uploading through the service', () => {
  test('a 30 MB upload on Pro streams through; size and SHA-256 are those of the bytes sent', async () => {
    const { ctx, projectId } = await personWithProject(local, { pro: true })
    const source = generated(30 * 1024 * 1024)
    const file = await fileService.upload(ctx, { id: projectId, name: 'big.png', body: source.stream })
    expect(file).toMatchObject({ size: 30 * 1024 * 1024, sha256: source.digest(), contentType: 'image/png' })
  })

  test('a stream that fails mid-upload: the error surfaces, nothing on disk, no row, no purge entry', async () => {
    const { ctx, projectId } = await personWithProject(local)
    const before = filesOnDisk(local.dir)
    const rows = (await database.db.select().from(files)).length
    const source = generated(5 * 1024 * 1024, 1024 * 1024)
    await expect(fileService.upload(ctx, { id: projectId, name: 'cut.png', body: source.stream })).rejects.toThrow('the client went away')
    expect(filesOnDisk(local.dir)).toEqual(before)
    expect((await database.db.select().from(files)).length).toBe(rows)
    expect(await database.db.select().from(filePurges)).toEqual([])
  })

  test('a store that fails after the whole body was read (a directory it cannot make): its error, and no stray stream error', async () => {
    const { projectId, ctx } = await personWithProject(local)
    // The body is small enough to be read whole before the store gives up without reading it, as a slow mkdir does.
    const failing: FileStorage = {
      ...local,
      async put() {
        await new Promise((resolve) => setTimeout(resolve, 50))
        throw Object.assign(new Error('ENOTDIR: not a directory, mkdir'), { code: 'ENOTDIR' })
      },
    }
    const stray: unknown[] = []
    const onUncaught = (error: unknown) => stray.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      await expect(
        fileService.upload({ ...ctx, storage: failing }, { id: projectId, name: 'late.txt', body: Readable.from([Buffer.from('small')]) }),
      ).rejects.toThrow('ENOTDIR')
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      process.off('uncaughtException', onUncaught)
    }
    expect(stray).toEqual([])
  })

  test('an admin may delete a member’s file; the member may not delete the admin’s', async () => {
    const admin = await personWithProject(local)
    const memberId = await createUser(database)
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(admin.userId)))
    await database.db.insert(memberships).values({ workspaceId: space?.id ?? '', userId: memberId, role: 'member' })
    const member = { ...contextFor(database, sessionActor(memberId), undefined, personalWorkspace(admin.userId)), storage: local }
    const theirs = await fileService.upload(member, { id: admin.projectId, name: 'm.txt', body: Readable.from([Buffer.from('member')]) })
    const mine = await fileService.upload(admin.ctx, { id: admin.projectId, name: 'a.txt', body: Readable.from([Buffer.from('admin')]) })
    await expect(fileService.remove(member, { id: admin.projectId, fileId: mine.id })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // The owner of a personal workspace is above admin.
    await expect(fileService.remove(admin.ctx, { id: admin.projectId, fileId: theirs.id })).resolves.toMatchObject({ id: theirs.id })
  })
})

describe('the purge', () => {
  test('bytes an upload left behind (a crash before its row) are removed once their grace has passed, not before', async () => {
    const { userId, projectId } = await personWithProject(local)
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(userId)))
    const key = storageKey({ workspaceId: space?.id ?? '', projectId, fileId: crypto.randomUUID() })
    const now = new Date()
    await database.db.insert(filePurges).values({ storageKey: key, purgeAfter: new Date(now.getTime() + UPLOAD_GRACE_MS) })
    await local.put(key, Readable.from([Buffer.from('abandoned')]))
    expect(await purgeDue(database.db, local, now)).toBe(0)
    expect(await local.stat(key)).toEqual({ size: 9 })
    expect(await purgeDue(database.db, local, new Date(now.getTime() + UPLOAD_GRACE_MS + 1))).toBe(1)
    expect(await local.stat(key)).toBeNull()
    expect(await database.db.select().from(filePurges).where(eq(filePurges.storageKey, key))).toEqual([])
  })

  test('deleting a workspace removes the bytes of every file in it', async () => {
    const { userId, ctx, projectId } = await personWithProject(local)
    const file = await fileService.upload(ctx, { id: projectId, name: 'w.txt', body: Readable.from([Buffer.from('in the workspace')]) })
    const [row] = await database.db.select().from(files).where(eq(files.id, file.id))
    await workspaceService.remove(ctx, { confirm: personalWorkspace(userId) })
    expect(await purgeDue(database.db, local)).toBeGreaterThanOrEqual(1)
    expect(await local.stat(row?.storageKey ?? '')).toBeNull()
  })

  test('a deletion that rolls back enters nothing for the purge', async () => {
    const { ctx, projectId } = await personWithProject(local)
    const file = await fileService.upload(ctx, { id: projectId, name: 'kept.txt', body: Readable.from([Buffer.from('kept')]) })
    await expect(
      database.db.transaction(async (tx) => {
        await tx.delete(files).where(eq(files.id, file.id))
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await database.db.select().from(filePurges)).toEqual([])
    expect(await database.db.select().from(files).where(eq(files.id, file.id))).toHaveLength(1)
  })
})

describe('on S3 (the stand-in, tests/support/s3.ts)', () => {
  let s3: S3Standin
  let storage: FileStorage
  const objects = async () =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.config.bucket }))).Contents ?? []).map((o) => o.Key)

  beforeAll(async () => {
    s3 = await startS3Standin()
    storage = s3Storage(s3.config)
  })
  afterAll(() => s3?.stop())

  test('a small file (one PutObject) and one over a part (multipart): stored, read back, ranged, deleted', async () => {
    const { ctx, projectId } = await personWithProject(storage, { pro: true })
    const small = await fileService.upload(ctx, { id: projectId, name: 's.txt', body: Readable.from([Buffer.from('hello s3')]) })
    const source = generated(PART_BYTES * 2 + 12345)
    const large = await fileService.upload(ctx, { id: projectId, name: 'l.png', body: source.stream })
    expect(large.sha256).toBe(source.digest())
    expect(large.size).toBe(PART_BYTES * 2 + 12345)
    expect(await objects()).toHaveLength(2)

    const opened = await fileService.open(ctx, { id: projectId, fileId: small.id })
    expect(Buffer.concat((await (await opened.read())?.toArray()) ?? []).toString()).toBe('hello s3')
    expect(Buffer.concat((await (await opened.read({ start: 6, end: 7 }))?.toArray()) ?? []).toString()).toBe('s3')
    const [row] = await database.db.select().from(files).where(eq(files.id, large.id))
    expect(await storage.stat(row?.storageKey ?? '')).toEqual({ size: PART_BYTES * 2 + 12345 })

    await fileService.remove(ctx, { id: projectId, fileId: small.id })
    await fileService.remove(ctx, { id: projectId, fileId: large.id })
    expect(await objects()).toEqual([])
  })

  test('over the limit and cut off: no object, no upload parts left, no row', async () => {
    const { ctx, projectId } = await personWithProject(storage)
    const over = generated(10 * 1024 * 1024 + 1)
    await expect(fileService.upload(ctx, { id: projectId, name: 'o.png', body: over.stream })).rejects.toMatchObject({ code: 'TOO_LARGE' })
    const cut = generated(PART_BYTES * 2, PART_BYTES + 1)
    await expect(fileService.upload(ctx, { id: projectId, name: 'c.png', body: cut.stream })).rejects.toThrow('the client went away')
    expect(await objects()).toEqual([])
    expect(await database.db.select().from(files).where(eq(files.projectId, projectId))).toEqual([])
  })
})

describe('download headers', () => {
  test.each([
    ['plain.txt', `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`],
    ['a "quoted"\\name.txt', `attachment; filename="a _quoted__name.txt"; filename*=UTF-8''a%20%22quoted%22%5Cname.txt`],
    ['naïve 100%.pdf', `attachment; filename="na_ve 100_.pdf"; filename*=UTF-8''na%C3%AFve%20100%25.pdf`],
    ['x\r\nSet-Cookie: a=b', `attachment; filename="x__Set-Cookie: a=b"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db`],
  ])('Content-Disposition for %j', (name, header) => {
    expect(contentDisposition(name)).toBe(header)
  })

  test.each([
    [null, { kind: 'full' }],
    ['bytes=0-0', { kind: 'partial', range: { start: 0, end: 0 } }],
    ['bytes=-100', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=10-', { kind: 'unsatisfiable' }],
    ['bytes=0-1,3-4', { kind: 'full' }],
    ['items=0-1', { kind: 'full' }],
    ['bytes=5-2', { kind: 'full' }],
  ])('Range %j of 10 bytes', (header, answer) => {
    expect(requestedRange(header, 10)).toEqual(answer)
  })
})
