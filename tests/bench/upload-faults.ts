// The closing figures of issue 23, item 1: 300 truncated multipart uploads (a complete request whose form ends before
// its closing boundary) to each production entry, and the server's open file descriptors and RSS before, right after
// and 30 s after. Before the fix, the API-only server exited on the first one and server.js kept one descriptor and a
// `.partial` file per request. Exits 1 if an entry dies, answers anything but 400, or keeps descriptors.
//
//   node --import tsx tests/bench/upload-faults.ts      (on PGlite; DATABASE_URL=postgres://… for PostgreSQL)
import '../../scripts/load-env'
import { readdirSync, readFileSync } from 'node:fs'
import * as projects from '../../src/server/services/projects'
import { bearerTokenFor } from '../support/api'
import { contextFor, createUser, sessionActor } from '../support/db'
import { filesOnDisk } from '../support/files'
import { isPostgresRun } from '../support/postgres'
import { rawRequest } from '../support/raw-http'
import { type RunningServer, startServer } from '../support/server'
import { benchPlace } from './bench-place'

const REQUESTS = 300
const SETTLE_MS = 30_000
/** A leak grows with the requests (one descriptor each, before the fix); a few lazily opened ones are not that. */
const FD_SLACK = 10
const BOUNDARY = '----b'
const BODY = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunterminated`)

const fds = (server: RunningServer) => readdirSync(`/proc/${server.pid}/fd`).length
const rssMb = (server: RunningServer) => {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0)
  return Math.round(kb / 1024)
}
const sample = (server: RunningServer) => ({ fds: fds(server), rssMb: rssMb(server) })

const place = await benchPlace('faults')
const { env, filesDir } = place
const database = await place.open()
const userId = await createUser(database, 'Bench')
const projectId = (await projects.create(contextFor(database, sessionActor(userId)), { name: 'Faults' })).id
// A token per entry: the API's budget (600 a minute per token) is shared by every instance, and each entry gets 300.
const tokens = {
  'server.js': (await bearerTokenFor(database, userId)).authorization,
  'api-server.js': (await bearerTokenFor(database, userId)).authorization,
}
await database.close()

let failed = false
try {
  for (const entry of ['server.js', 'api-server.js'] as const) {
    const server = await startServer({ entry, env })
    let alive = true
    void server.exited.then(() => {
      alive = false
    })
    try {
      const send = () =>
        rawRequest(server.url, {
          path: `/api/v1/projects/${projectId}/files`,
          headers: { Authorization: tokens[entry], 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
          body: BODY,
          timeoutMs: 60_000,
        })
      await send() // the first request starts the runtime and loads busboy: not counted
      const before = sample(server)
      const statuses = new Map<number, number>()
      for (let i = 0; i < REQUESTS; i++) {
        const { status } = await send()
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
      const after = sample(server)
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
      const settled = sample(server)
      const partials = filesOnDisk(filesDir).filter((file) => file.endsWith('.partial')).length
      console.log(
        JSON.stringify({
          entry,
          database: isPostgresRun() ? 'postgres' : 'pglite',
          statuses: Object.fromEntries(statuses),
          before,
          after,
          settled,
          partials,
          alive,
        }),
      )
      if (!alive || statuses.get(400) !== REQUESTS || partials > 0 || settled.fds - before.fds >= FD_SLACK) failed = true
    } finally {
      await server.stop()
    }
  }
} finally {
  await place.drop()
}
process.exit(failed ? 1 : 0)
