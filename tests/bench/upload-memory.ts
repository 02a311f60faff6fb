// `npm run bench:upload` (and the last part of `npm run bench`): the server's peak memory growth while it takes in
// 200 MB of uploads — two 100 MB files (the Pro limit) at once, streamed over real HTTP to each production entry
// (server.js under Next, and the API-only server). The target is growth under 64 MB: an upload must stream to
// storage, never be held whole. RSS is sampled every 10 ms from /proc; exits 1 if a target is missed.
//
//   npm run bench:upload            (on PGlite; DATABASE_URL=postgres://… for PostgreSQL)
// Take the machine's build lock around it where others build and test: flock /tmp/twofold-next.lock npm run bench:upload
import '../../scripts/load-env'
import { eq } from 'drizzle-orm'
import { workspaceBilling, workspaces } from '../../src/server/db/schema'
import { PLANS } from '../../src/server/services/plans'
import * as projects from '../../src/server/services/projects'
import { bearerTokenFor } from '../support/api'
import { contextFor, createUser, personalWorkspace, sessionActor } from '../support/db'
import { MULTIPART_BOUNDARY, multipartStream } from '../support/files'
import { isPostgresRun } from '../support/postgres'
import { startServer } from '../support/server'
import { benchPlace } from './bench-place'
import { treeRss } from './http/servers'

const GROWTH_MAX = 64 * 1024 * 1024
const FILE_BYTES = PLANS.pro.uploadBytes
const CONCURRENT = 2
const MB = 1024 * 1024

async function prepare(): Promise<{
  env: Record<string, string | undefined>
  authorization: string
  projectId: string
  cleanup(): Promise<void>
}> {
  const place = await benchPlace('upload')
  const database = await place.open()
  try {
    const userId = await createUser(database, 'Bench uploader')
    const [space] = await database.db
      .select()
      .from(workspaces)
      .where(eq(workspaces.slug, personalWorkspace(userId)))
    await database.db.insert(workspaceBilling).values({ workspaceId: space?.id ?? '', status: 'active' })
    const projectId = (await projects.create(contextFor(database, sessionActor(userId)), { name: 'Bench' })).id
    const { authorization } = await bearerTokenFor(database, userId)
    return { env: place.env, authorization, projectId, cleanup: place.drop }
  } finally {
    await database.close()
  }
}

async function measure(entry: 'server.js' | 'api-server.js', setup: Awaited<ReturnType<typeof prepare>>) {
  const server = await startServer({ entry, env: setup.env })
  try {
    const upload = (size: number, name: string) =>
      fetch(`${server.url}/api/v1/projects/${setup.projectId}/files`, {
        method: 'POST',
        body: multipartStream(name, size),
        duplex: 'half',
        headers: { Authorization: setup.authorization, 'Content-Type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
      } as RequestInit).then(async (response) => {
        if (response.status !== 201) throw new Error(`${entry}: upload answered ${response.status}: ${await response.text()}`)
      })
    // Warm: the route's modules loaded, the database and storage open.
    await upload(1 * MB, 'warm.png')
    await new Promise((r) => setTimeout(r, 500))
    const baseline = treeRss(server.pid)
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeRss(server.pid))
    }, 10)
    const started = performance.now()
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => upload(FILE_BYTES, `big-${i}.png`)))
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, treeRss(server.pid))
    return { entry, baseline, peak, growth: peak - baseline, seconds }
  } finally {
    await server.stop()
  }
}

const setup = await prepare()
try {
  const results = []
  for (const entry of ['server.js', 'api-server.js'] as const) results.push(await measure(entry, setup))
  const total = (CONCURRENT * FILE_BYTES) / MB
  console.log(`\nUpload memory: ${CONCURRENT} × ${FILE_BYTES / MB} MB at once (${total} MB), ${isPostgresRun() ? 'PostgreSQL' : 'PGlite'}`)
  console.log('entry          RSS before   peak RSS   growth    MB/s')
  let failed = false
  for (const r of results) {
    const ok = r.growth < GROWTH_MAX
    failed ||= !ok
    console.log(
      `${r.entry.padEnd(14)} ${(r.baseline / MB).toFixed(1).padStart(7)} MB ${(r.peak / MB).toFixed(1).padStart(7)} MB ${(r.growth / MB).toFixed(1).padStart(6)} MB ${(total / r.seconds).toFixed(0).padStart(6)}  ${ok ? 'ok' : `FAIL (target < ${GROWTH_MAX / MB} MB)`}`,
    )
  }
  process.exitCode = failed ? 1 : 0
} finally {
  await setup.cleanup()
}
