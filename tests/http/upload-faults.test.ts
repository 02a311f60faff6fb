// Uploads that go wrong, over real HTTP through both production entries (issue 23, item 1): a multipart body that
// ends before its closing boundary, one cut inside a part's headers or just after its data, a wrong boundary, a
// client that half-closes or disconnects mid-upload, a file over the plan's limit, and a store that cannot write
// (a local directory that cannot exist, an S3 bucket that refuses). Each must be answered with a problem (or, for a
// client gone away, nothing), leave no `.partial` file, give back every file descriptor the request opened, and
// leave the server answering. Another workspace's project is refused before a byte of the body is read.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PLANS } from '../../src/server/services/plans'
import * as projects from '../../src/server/services/projects'
import { accountsOn, PASSWORD } from '../support/accounts'
import { bearerTokenFor } from '../support/api'
import { contextFor, createUser, sessionActor } from '../support/db'
import { filesOnDisk, pngBytes } from '../support/files'
import { cookieHeaderFrom, submitForm } from '../support/forms'
import { type RawAnswer, type RawRequest, rawRequest } from '../support/raw-http'
import { type S3Standin, startS3Standin } from '../support/s3'
import { type RunningServer, startServer, suiteDatabase } from '../support/server'

let env: Record<string, string | undefined>
let cleanup: () => Promise<void>
/** The uploader: a password account (for the app's route, through its session) with a bearer token. */
let uploader: { email: string; slug: string; projectId: string; authorization: string }
/** Another workspace's project: the uploader's token must not reach it. */
let foreignProjectId: string
const filesDir = mkdtempSync(path.join(tmpdir(), 'twofold-upload-faults-'))

beforeAll(async () => {
  const place = await suiteDatabase('upload-faults', { FILES_DIR: filesDir })
  env = place.env
  cleanup = place.drop
  const database = await place.open()
  try {
    const person = await accountsOn(database).signUp('Uploader')
    const project = await projects.create(contextFor(database, sessionActor(person.userId), undefined, person.slug), { name: 'Uploads' })
    const { authorization } = await bearerTokenFor(database, person.userId, undefined, person.slug)
    uploader = { email: person.email, slug: person.slug, projectId: project.id, authorization }
    const stranger = await createUser(database, 'Stranger')
    foreignProjectId = (await projects.create(contextFor(database, sessionActor(stranger)), { name: 'Theirs' })).id
  } finally {
    await database.close()
  }
})
afterAll(async () => {
  await cleanup?.()
  rmSync(filesDir, { recursive: true, force: true })
})

const BOUNDARY = '----b'
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`
const partHead = (name = 'a.txt') => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`

/** Malformed bodies whose Content-Length is exact: the request is complete, the form is not. */
const MALFORMED: [string, Buffer][] = [
  ['no closing boundary (the issue’s body)', Buffer.from(`${partHead()}unterminated`)],
  ['cut inside the part’s headers', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`)],
  ['cut after the part’s delimiter, before the closing dashes', Buffer.from(`${partHead()}complete text\r\n--${BOUNDARY}`)],
  [
    'a boundary other than the declared one',
    Buffer.from(`--other\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nx\r\n--other--\r\n`),
  ],
  ['a PNG cut off after 64 KiB', Buffer.concat([Buffer.from(partHead('cut.png')), pngBytes(64 * 1024)])],
]

/**
 * What the server's open file descriptors point at (sockets, files, pipes): what a leaked stream keeps. PGlite's own
 * table files are left out: it opens each on first use and keeps it, as PostgreSQL keeps its buffers.
 */
function fdTargets(server: RunningServer): string[] {
  const dir = `/proc/${server.pid}/fd`
  const targets = readdirSync(dir).map((fd) => {
    try {
      return readlinkSync(path.join(dir, fd))
    } catch {
      return '(closed)'
    }
  })
  const database = env.PGLITE_DIR
  if (database) return targets.filter((target) => !target.startsWith(`${database}/`))
  // On PostgreSQL the pool opens a connection when queries overlap (a request's and a batched write's) and closes it
  // after pg's 10 s idle timeout, as long as this test waits: the pool's own, bounded by its size, not the request's.
  const pooled = databaseSockets(server.pid)
  return targets.filter((target) => !pooled.has(target))
}

/** `socket:[inode]` of each of the process's TCP connections to the PostgreSQL server's port. */
function databaseSockets(pid: number): Set<string> {
  const url = env.DATABASE_URL
  if (!url) return new Set()
  const port = (Number(new URL(url).port) || 5432).toString(16).toUpperCase().padStart(4, '0')
  const sockets = new Set<string>()
  for (const table of ['tcp', 'tcp6']) {
    let text = ''
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // local_address, rem_address (hex ip:port), …, inode (the tenth field).
      if (fields[2]?.endsWith(`:${port}`) && fields[9]) sockets.add(`socket:[${fields[9]}]`)
    }
  }
  return sockets
}

const openFds = (server: RunningServer) => fdTargets(server).length

/** Waits (up to 10 s) for `check` to hold; returns whether it did. */
async function settled(check: () => boolean): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 50))) {
    if (check()) return true
  }
  return check()
}

const partials = () => filesOnDisk(filesDir).filter((file) => file.endsWith('.partial'))

async function expectProblem(answer: RawAnswer, status: number, code: string): Promise<void> {
  expect(answer.status, answer.body).toBe(status)
  expect(answer.headers['content-type']).toBe('application/problem+json')
  expect(JSON.parse(answer.body)).toMatchObject({ status, code })
}

/** The server answers an ordinary request. */
async function stillAnswering(server: RunningServer): Promise<void> {
  expect(server.output()).not.toMatch(/uncaughtException|Unhandled 'error' event/)
  const health = await fetch(`${server.url}/api/health`, { headers: { Connection: 'close' } })
  expect(health.status).toBe(200)
}

type Route = { label: string; path: () => string; headers: () => Record<string, string> }

const apiRoute: Route = {
  label: 'the API route',
  path: () => `/api/v1/projects/${uploader.projectId}/files`,
  headers: () => ({ Authorization: uploader.authorization, 'Content-Type': CONTENT_TYPE }),
}

function appRoute(server: () => RunningServer, cookie: () => string): Route {
  return {
    label: 'the app’s own route',
    path: () => `/api/w/${uploader.slug}/projects/${uploader.projectId}/files`,
    headers: () => ({ Cookie: cookie(), Origin: server().url, Accept: 'application/json', 'Content-Type': CONTENT_TYPE }),
  }
}

/** The session cookie the server sets for the uploader, signed in through the form. */
async function signIn(server: RunningServer): Promise<string> {
  const response = await submitForm(server, '/sign-in', { email: uploader.email, password: PASSWORD, next: '/dashboard' })
  const cookie = cookieHeaderFrom(response.headers)
  expect(cookie).toContain('session_token=')
  return cookie
}

/**
 * Sends `request` and checks what a fault must leave: no partial file, the descriptors back to their count before
 * (the request's own socket included), and the server answering.
 */
async function fault(server: RunningServer, request: RawRequest): Promise<RawAnswer> {
  const before = openFds(server)
  const targetsBefore = fdTargets(server)
  const answer = await rawRequest(server.url, request)
  expect(await settled(() => partials().length === 0), `partial files left: ${partials().join(', ')}`).toBe(true)
  expect(
    await settled(() => openFds(server) <= before),
    `open fds: ${before} before, ${openFds(server)} after; new: ${fdTargets(server)
      .filter((t) => !targetsBefore.includes(t))
      .join(', ')}`,
  ).toBe(true)
  await stillAnswering(server)
  return answer
}

describe.each(['server.js', 'api-server.js'] as const)('faulty uploads through %s', (entry) => {
  let server: RunningServer
  let cookie = ''
  const routes =
    entry === 'server.js'
      ? [
          apiRoute,
          appRoute(
            () => server,
            () => cookie,
          ),
        ]
      : [apiRoute]
  beforeAll(async () => {
    server = await startServer({ entry, env })
    if (entry === 'server.js') cookie = await signIn(server)
    // One good upload through each route first: what loads lazily (busboy, file-type, the pool) is open before counting.
    for (const route of routes) {
      const body = Buffer.from(`${partHead('warm.txt')}warm\r\n--${BOUNDARY}--\r\n`)
      // The first request also starts the runtime: on a busy machine that takes seconds.
      const answer = await rawRequest(server.url, { path: route.path(), headers: route.headers(), body, timeoutMs: 60_000 })
      expect(answer.status, answer.body).toBe(201)
    }
  })
  afterAll(async () => {
    expect(await server?.stop()).toBe(0)
  })

  describe.each(routes)('$label', (route) => {
    it.each(MALFORMED)('%s: 400 problem+json, nothing left open', async (_, body) => {
      const answer = await fault(server, { path: route.path(), headers: route.headers(), body })
      await expectProblem(answer, 400, 'BAD_REQUEST')
    })

    it('a body shorter than its Content-Length, the client half-closing: no partial file, nothing left open', async () => {
      const body = Buffer.concat([Buffer.from(partHead('short.png')), pngBytes(256 * 1024)])
      const answer = await fault(server, {
        path: route.path(),
        headers: { ...route.headers(), 'Content-Length': String(body.length + 1024 * 1024) },
        body,
        afterBody: 'half-close',
      })
      // The client cannot send the rest: if it still reads an answer, it is a 400 (ours, or Node's own for a request
      // its parser saw end early), never a success or a 5xx.
      expect([0, 400]).toContain(answer.status)
    })

    it('a client that disconnects mid-upload, while the file is being written: nothing left open', async () => {
      const body = Buffer.concat([Buffer.from(partHead('gone.png')), pngBytes(2 * 1024 * 1024)])
      const answer = await fault(server, {
        path: route.path(),
        headers: { ...route.headers(), 'Content-Length': String(body.length + 8 * 1024 * 1024) },
        body,
        afterBody: { destroyWhen: () => partials().length > 0 },
      })
      expect(answer.status).toBe(0)
    })

    it('a file over the plan’s limit: 413 problem+json, nothing left open', async () => {
      const body = Buffer.concat([
        Buffer.from(partHead('big.png')),
        pngBytes(PLANS.free.uploadBytes + 1),
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ])
      const answer = await fault(server, { path: route.path(), headers: route.headers(), body })
      // The server may close the connection as soon as it answers, before the client has sent everything.
      if (answer.status !== 0) await expectProblem(answer, 413, 'TOO_LARGE')
    })
  })

  it('another workspace’s project is 404 with the body unread, however malformed', async () => {
    const answer = await fault(server, {
      path: `/api/v1/projects/${foreignProjectId}/files`,
      headers: apiRoute.headers(),
      body: Buffer.from(`${partHead()}unterminated`),
    })
    await expectProblem(answer, 404, 'NOT_FOUND')
  })
})

describe.each(['server.js', 'api-server.js'] as const)('a store that cannot write, through %s', (entry) => {
  let s3: S3Standin
  beforeAll(async () => {
    s3 = await startS3Standin(Number(process.env.S3_STANDIN_PORT ?? 4573))
  })
  afterAll(async () => {
    await s3?.stop()
  })

  const stores: [string, () => Record<string, string>][] = [
    [
      'a local directory that cannot exist (under a regular file)',
      () => {
        const file = path.join(filesDir, 'not-a-directory')
        writeFileSync(file, '')
        return { FILES_DIR: path.join(file, 'files') }
      },
    ],
    [
      'an S3 bucket the stand-in refuses (it does not exist)',
      () => ({
        FILES_STORAGE: 's3',
        S3_BUCKET: 'no-such-bucket',
        S3_ENDPOINT: s3.config.endpoint ?? '',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
      }),
    ],
  ]

  it.each(stores)('%s: a 5xx problem, logged, nothing left open, the server still answering', async (_, storeEnv) => {
    const server = await startServer({ entry, env: { ...env, ...storeEnv() } })
    try {
      const send = () =>
        rawRequest(server.url, {
          path: apiRoute.path(),
          headers: apiRoute.headers(),
          body: Buffer.concat([Buffer.from(partHead('stored.png')), pngBytes(64 * 1024), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]),
          timeoutMs: 60_000,
        })
      // The first failure loads what a failing upload loads (the S3 client, file-type); the second is counted.
      await send()
      const answer = await fault(server, {
        path: apiRoute.path(),
        headers: apiRoute.headers(),
        body: Buffer.concat([Buffer.from(partHead('stored.png')), pngBytes(64 * 1024), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]),
      })
      expect(answer.status, answer.body).toBe(500)
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'INTERNAL' })
      expect(server.output()).toMatch(/"message":"request failed"/)
    } finally {
      const code = await server.stop()
      expect(code, server.output().slice(-3000)).toBe(0)
    }
  })
})
