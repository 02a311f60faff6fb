// The file routes through the real route modules: uploads streamed and checked (limit, type, name, empty, cut off),
// downloads with their headers and ranges, deletion of a file and of its project, and what each leaves in the
// table and on disk.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { activity, filePurges, files, memberships, workspaceBilling, workspaces } from '../../src/server/db/schema'
import { purgeDue } from '../../src/server/files/purge'
import { PLANS } from '../../src/server/services/plans'
import * as projects from '../../src/server/services/projects'
import { type ApiHarness, bearerTokenFor, createApi, temporaryStorage, userWithToken } from '../support/api'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { elfBytes, filesOnDisk, pngBytes, sha256, uploadInit } from '../support/files'

let database: Database
let api: ApiHarness
const storage = temporaryStorage()
let owner: Awaited<ReturnType<typeof userWithToken>>
let projectId: string

const filesPath = (id = projectId) => `/api/v1/projects/${id}/files`

async function upload(bytes: Buffer | string, name: string, authorization = owner.authorization) {
  return api.fetch(filesPath(), uploadInit(bytes, name, authorization))
}

async function fileRows() {
  return database.db.select().from(files)
}

/** Nothing of a refused upload remains: no new row, nothing on disk beyond what was there, no purge entry. */
async function expectNothingLeft(before: { rows: number; disk: string[] }) {
  expect((await fileRows()).length).toBe(before.rows)
  expect(filesOnDisk(storage.dir).sort()).toEqual(before.disk.sort())
  expect(await database.db.select().from(filePurges)).toEqual([])
}

async function snapshot() {
  return { rows: (await fileRows()).length, disk: filesOnDisk(storage.dir) }
}

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database, { storage })
  owner = await userWithToken(database)
  projectId = (await projects.create(contextFor(database, sessionActor(owner.userId)), { name: 'Files' })).id
})
afterAll(() => database.close())

describe('uploading', () => {
  test('a PNG: 201 with the file, its Location and checksum; the bytes on disk, a row and an activity entry', async () => {
    const bytes = pngBytes(20_000)
    const response = await upload(bytes, 'diagram.png')
    expect(response.status).toBe(201)
    const body = await response.json()
    expect(body).toEqual({
      id: expect.any(String),
      projectId,
      name: 'diagram.png',
      contentType: 'image/png',
      size: 20_000,
      sha256: sha256(bytes),
      uploadedBy: owner.userId,
      createdAt: expect.any(String),
    })
    expect(response.headers.get('location')).toBe(`http://api.test/api/v1/projects/${projectId}/files/${body.id}`)
    const [row] = await database.db.select().from(files).where(eq(files.id, body.id))
    expect(row?.sha256).toBe(sha256(bytes))
    expect(await storage.stat(row?.storageKey ?? '')).toEqual({ size: 20_000 })
    const [entry] = await database.db.select().from(activity).where(eq(activity.subjectId, body.id))
    expect(entry).toMatchObject({ kind: 'file.uploaded', actorId: owner.userId, data: { name: 'diagram.png', projectId, size: 20_000 } })
  })

  test('text file-type cannot name is stored as text/plain, whatever was declared', async () => {
    const response = await upload('<script>alert(1)</script>\nplain words, ünïcödé\n', 'notes.html')
    expect(response.status).toBe(201)
    expect((await response.json()).contentType).toBe('text/plain; charset=utf-8')
  })

  test('exactly at the Free limit: accepted', async () => {
    const response = await upload(pngBytes(PLANS.free.uploadBytes), 'exact.png')
    expect(response.status).toBe(201)
    expect((await response.json()).size).toBe(PLANS.free.uploadBytes)
  })

  test('one byte over the Free limit: 413 problem, nothing on disk or in the table', async () => {
    const before = await snapshot()
    const response = await upload(pngBytes(PLANS.free.uploadBytes + 1), 'over.png')
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({
      status: 413,
      code: 'TOO_LARGE',
      detail: 'The file is larger than 10 MB, the most the Free plan allows.',
    })
    await expectNothingLeft(before)
  })

  test('a Pro workspace may upload more than 10 MB', async () => {
    const pro = await userWithToken(database)
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(pro.userId)))
    await database.db.insert(workspaceBilling).values({ workspaceId: space?.id ?? '', status: 'active' })
    const project = await projects.create(contextFor(database, sessionActor(pro.userId)), { name: 'Big' })
    const response = await api.fetch(filesPath(project.id), uploadInit(pngBytes(PLANS.free.uploadBytes + 1), 'big.png', pro.authorization))
    expect(response.status).toBe(201)
  })

  const refused: [string, Buffer | string, string, Record<string, string[]>][] = [
    ['an empty file', '', 'empty.txt', { file: ['The file is empty.'] }],
    ['an executable', elfBytes(), 'tool.png', { file: ['Files of type application/x-elf cannot be uploaded.'] }],
    [
      'binary content of no known type',
      Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7]),
      'blob.bin',
      { file: ['This type of file cannot be uploaded: use an image, PDF, office document, archive, audio, video or plain text.'] },
    ],
    [
      'a name with a slash',
      'text',
      '../../etc/passwd',
      { name: ['A file name must not contain slashes, backslashes or control characters.'] },
    ],
    [
      'a name with a backslash',
      'text',
      '..\\evil.txt',
      { name: ['A file name must not contain slashes, backslashes or control characters.'] },
    ],
    [
      'a name with a control character',
      'text',
      'bell\u0007.txt',
      { name: ['A file name must not contain slashes, backslashes or control characters.'] },
    ],
    [
      'a name with a right-to-left override',
      'text',
      'invoice\u202Efdp.exe',
      { name: ['A file name must not contain slashes, backslashes or control characters.'] },
    ],
    ['a name of only dots', 'text', '..', { name: ['A file name must not be only dots.'] }],
    ['a name too long', 'text', `${'a'.repeat(256)}.txt`, { name: ['A file name must be at most 255 characters.'] }],
  ]
  test.each(refused)('%s: 422 naming the field, nothing left', async (_, bytes, name, errors) => {
    const before = await snapshot()
    const response = await upload(bytes, name)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ status: 422, code: 'VALIDATION', errors })
    await expectNothingLeft(before)
  })

  test('no file field: 422', async () => {
    const response = await api.fetch(filesPath(), uploadInit('text', 'a.txt', owner.authorization, 'attachment'))
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ errors: { file: ['Choose a file to upload.'] } })
  })

  test('a JSON body: 415', async () => {
    const response = await api.fetch(filesPath(), {
      method: 'POST',
      body: '{}',
      headers: { Authorization: owner.authorization, 'Content-Type': 'application/json' },
    })
    expect(response.status).toBe(415)
    expect((await response.json()).detail).toBe('Send the body as multipart/form-data.')
  })

  test('a body cut off mid-file: refused, nothing left', async () => {
    const before = await snapshot()
    const boundary = 'cutoff'
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.png"\r\n\r\n`
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(head))
        controller.enqueue(pngBytes(64 * 1024))
        controller.error(new Error('connection reset'))
      },
    })
    const response = await api.fetch(filesPath(), {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { Authorization: owner.authorization, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    await expectNothingLeft(before)
  })

  test('a token without files:write: 403; another workspace’s project: 404', async () => {
    const reader = await bearerTokenFor(database, owner.userId, ['files:read', 'projects:read'])
    expect((await upload('x', 'a.txt', reader.authorization)).status).toBe(403)
    const stranger = await userWithToken(database)
    expect((await upload('x', 'a.txt', stranger.authorization)).status).toBe(404)
  })
})

describe('downloading', () => {
  // Quotes are sent percent-encoded by FormData (as browsers do), so the hostile part here is the ; and the accents.
  const name = 'résumé; v2 (final).txt'
  const content = 'line one\nline two\n0123456789\n'
  let fileUrl: string

  beforeAll(async () => {
    const response = await upload(content, name)
    fileUrl = new URL(response.headers.get('location') ?? '').pathname
  })

  test('the bytes, with a safe Content-Disposition, Content-Length, ETag and nosniff', async () => {
    const response = await api.fetch(fileUrl, { headers: { Authorization: owner.authorization } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(content)
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(content)),
      etag: `"${sha256(content)}"`,
      'accept-ranges': 'bytes',
      'content-disposition': `attachment; filename="r_sum_; v2 (final).txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%3B%20v2%20%28final%29.txt`,
      'x-content-type-options': 'nosniff',
    })
  })

  test('If-None-Match with the ETag: 304', async () => {
    const response = await api.fetch(fileUrl, { headers: { Authorization: owner.authorization, 'If-None-Match': `"${sha256(content)}"` } })
    expect(response.status).toBe(304)
  })

  test.each([
    ['bytes=0-3', 'line', 'bytes 0-3/29'],
    ['bytes=18-', '0123456789\n', 'bytes 18-28/29'],
    ['bytes=-3', '89\n', 'bytes 26-28/29'],
    ['bytes=19-1000', '123456789\n', 'bytes 19-28/29'],
  ])('Range %s: 206 with that part', async (range, part, contentRange) => {
    const response = await api.fetch(fileUrl, { headers: { Authorization: owner.authorization, Range: range } })
    expect(response.status).toBe(206)
    expect(await response.text()).toBe(part)
    expect(response.headers.get('content-range')).toBe(contentRange)
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(part)))
  })

  test('a range past the end: 416 with the size', async () => {
    const response = await api.fetch(fileUrl, { headers: { Authorization: owner.authorization, Range: 'bytes=29-' } })
    expect(response.status).toBe(416)
    expect(response.headers.get('content-range')).toBe('bytes */29')
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toMatchObject({
      type: 'https://twofold.dev/problems/range-not-satisfiable',
      status: 416,
      code: 'RANGE_NOT_SATISFIABLE',
      detail: 'The range starts past the end: the file has 29 bytes.',
    })
  })

  test('If-Range with another ETag: the whole file', async () => {
    const response = await api.fetch(fileUrl, { headers: { Authorization: owner.authorization, Range: 'bytes=0-3', 'If-Range': '"old"' } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(content)
  })

  test('the list names it; a stranger gets 404', async () => {
    const list = await api.fetch(filesPath(), { headers: { Authorization: owner.authorization } })
    expect(list.status).toBe(200)
    const { items } = await list.json()
    expect(items.map((f: { name: string }) => f.name)).toContain(name)
    const stranger = await userWithToken(database)
    expect((await api.fetch(fileUrl, { headers: { Authorization: stranger.authorization } })).status).toBe(404)
  })
})

describe('deleting', () => {
  test('another member may not delete your file; you may: 204, row and bytes gone, activity recorded', async () => {
    const response = await upload('to delete', 'delete-me.txt')
    const { id } = await response.json()
    const [row] = await database.db.select().from(files).where(eq(files.id, id))
    const key = row?.storageKey ?? ''

    const colleague = await createUser(database)
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(owner.userId)))
    await database.db.insert(memberships).values({ workspaceId: space?.id ?? '', userId: colleague, role: 'member' })
    const theirs = await bearerTokenFor(database, colleague, undefined, personalWorkspace(owner.userId))
    const refused = await api.fetch(`${filesPath()}/${id}`, { method: 'DELETE', headers: { Authorization: theirs.authorization } })
    expect(refused.status).toBe(403)

    const deleted = await api.fetch(`${filesPath()}/${id}`, { method: 'DELETE', headers: { Authorization: owner.authorization } })
    expect(deleted.status).toBe(204)
    expect(await database.db.select().from(files).where(eq(files.id, id))).toEqual([])
    // The bytes go at once, after the commit, and with them the purge's entry (the purge is for when that fails).
    expect(await storage.stat(key)).toBeNull()
    expect(await database.db.select().from(filePurges)).toEqual([])
    expect(await purgeDue(database.db, storage)).toBe(0)
    const kinds = (await database.db.select().from(activity).where(eq(activity.subjectId, id))).map((a) => a.kind)
    expect(kinds.sort()).toEqual(['file.deleted', 'file.uploaded'])
  })

  test('deleting the project removes its files’ bytes (after the commit, through file_purges)', async () => {
    const project = await projects.create(contextFor(database, sessionActor(owner.userId)), { name: 'Doomed' })
    const keys: string[] = []
    for (const n of [1, 2]) {
      const response = await api.fetch(filesPath(project.id), uploadInit(pngBytes(5000), `${n}.png`, owner.authorization))
      const [row] = await database.db
        .select()
        .from(files)
        .where(eq(files.id, (await response.json()).id))
      keys.push(row?.storageKey ?? '')
    }
    const response = await api.fetch(`/api/v1/projects/${project.id}`, {
      method: 'DELETE',
      headers: { Authorization: owner.authorization },
    })
    expect(response.status).toBe(204)
    expect((await database.db.select().from(filePurges)).map((p) => p.storageKey).sort()).toEqual([...keys].sort())
    expect(await purgeDue(database.db, storage)).toBe(2)
    for (const key of keys) expect(await storage.stat(key)).toBeNull()
    expect(await database.db.select().from(filePurges)).toEqual([])
  })
})
