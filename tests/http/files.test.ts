// Uploads over real HTTP, through both production entries (server.js under Next, and the API-only server): a 100 MB
// file streams through to disk (no proxy or framework buffer cuts it off), one byte more is 413 with nothing left,
// a client that goes away mid-upload leaves nothing behind, and the app's own upload route refuses other origins.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workspaceBilling, workspaces } from '../../src/server/db/schema'
import { PLANS } from '../../src/server/services/plans'
import * as projects from '../../src/server/services/projects'
import { bearerTokenFor } from '../support/api'
import { contextFor, createUser, personalWorkspace, sessionActor } from '../support/db'
import { filesOnDisk, MULTIPART_BOUNDARY, multipartStream } from '../support/files'
import { type RunningServer, startServer, suiteDatabase } from '../support/server'

let env: Record<string, string | undefined>
let cleanup: () => Promise<void>
let authorization: string
let projectId: string
const filesDir = mkdtempSync(path.join(tmpdir(), 'twofold-http-files-'))

beforeAll(async () => {
  const place = await suiteDatabase('http-files', { FILES_DIR: filesDir })
  env = place.env
  cleanup = place.drop
  const database = await place.open()
  try {
    const userId = await createUser(database, 'Uploader')
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(userId)))
    // Pro: 100 MB uploads.
    await database.db.insert(workspaceBilling).values({ workspaceId: space?.id ?? '', status: 'active' })
    projectId = (await projects.create(contextFor(database, sessionActor(userId)), { name: 'Uploads' })).id
    ;({ authorization } = await bearerTokenFor(database, userId))
  } finally {
    await database.close()
  }
})
afterAll(async () => {
  await cleanup?.()
  rmSync(filesDir, { recursive: true, force: true })
})

const settled = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100))
  return check()
}

describe.each(['server.js', 'api-server.js'] as const)('uploads through %s', (entry) => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ entry, env })
  })
  afterAll(async () => {
    expect(await server?.stop()).toBe(0)
  })
  const upload = (size: number, name: string) =>
    fetch(`${server.url}/api/v1/projects/${projectId}/files`, {
      method: 'POST',
      body: multipartStream(name, size),
      duplex: 'half',
      headers: { Authorization: authorization, 'Content-Type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
    } as RequestInit)

  it('a 100 MB file (the Pro limit, exactly) streams to disk whole, and downloads with its length and ranges', async () => {
    const response = await upload(PLANS.pro.uploadBytes, `${entry}-100mb.png`)
    expect(response.status, await response.clone().text()).toBe(201)
    const file = await response.json()
    expect(file.size).toBe(PLANS.pro.uploadBytes)
    const location = response.headers.get('location') ?? ''
    const whole = await fetch(location, { headers: { Authorization: authorization } })
    expect(whole.headers.get('content-length')).toBe(String(PLANS.pro.uploadBytes))
    expect(whole.headers.get('etag')).toBe(`"${file.sha256}"`)
    await whole.body?.cancel()
    const tail = await fetch(location, { headers: { Authorization: authorization, Range: 'bytes=-4' } })
    expect(tail.status).toBe(206)
    expect(tail.headers.get('content-range')).toBe(
      `bytes ${PLANS.pro.uploadBytes - 4}-${PLANS.pro.uploadBytes - 1}/${PLANS.pro.uploadBytes}`,
    )
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(Buffer.alloc(4, 0x5a))
  })

  it('one byte over the limit: 413 problem+json, and nothing left on disk', async () => {
    const before = filesOnDisk(filesDir).length
    const response = await upload(PLANS.pro.uploadBytes + 1, `${entry}-over.png`).catch((error: unknown) => error)
    // The server answers as soon as the limit is passed and closes the connection; a client still sending may see
    // the reset rather than the answer, which is as final.
    if (response instanceof Response) {
      expect(response.status).toBe(413)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
    }
    expect(await settled(() => filesOnDisk(filesDir).length === before)).toBe(true)
  })

  it('a client that goes away mid-upload leaves no partial file', async () => {
    const before = filesOnDisk(filesDir).length
    const url = new URL(`/api/v1/projects/${projectId}/files`, server.url)
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
      })
      req.on('error', () => resolve())
      const reader = multipartStream('cut.png', 50 * 1024 * 1024).getReader()
      let sent = 0
      const pump = async () => {
        const { value } = await reader.read()
        if (!value) return
        sent += value.length
        // Half way through, while the server is writing: the connection drops.
        if (sent > 20 * 1024 * 1024) {
          req.destroy()
          resolve()
          return
        }
        if (!req.write(value)) req.once('drain', () => void pump())
        else void pump()
      }
      void pump()
    })
    expect(await settled(() => filesOnDisk(filesDir).length === before)).toBe(true)
    const list = await fetch(`${server.url}/api/v1/projects/${projectId}/files`, { headers: { Authorization: authorization } })
    expect((await list.json()).items.map((f: { name: string }) => f.name)).not.toContain('cut.png')
  })
})

describe('the app’s upload route', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ env })
  })
  afterAll(async () => {
    expect(await server?.stop()).toBe(0)
  })

  it('refuses a post from another origin before reading it, and a post without a session', async () => {
    const route = `${server.url}/api/w/some-workspace/projects/${projectId}/files`
    const init = (origin: string) => ({
      method: 'POST',
      body: multipartStream('x.png', 1000),
      duplex: 'half',
      headers: { Origin: origin, Accept: 'application/json', 'Content-Type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
    })
    expect((await fetch(route, init('https://evil.example') as RequestInit)).status).toBe(403)
    expect((await fetch(route, init(server.url) as RequestInit)).status).toBe(401)
    // The form posted without JavaScript, signed out: sent to sign in, and back to the project page after.
    const { Accept: _json, ...formHeaders } = init(server.url).headers
    const posted = await fetch(route, { ...init(server.url), headers: formHeaders, redirect: 'manual' } as RequestInit)
    expect(posted.status).toBe(303)
    expect(posted.headers.get('location')).toBe(
      `${server.url}/sign-in?next=${encodeURIComponent(`/w/some-workspace/projects/${projectId}`)}`,
    )
  })
})
