// A CPU profile of one endpoint under load, through real HTTP: seeds the bench's database, starts the app (or the
// API-only server) with --cpu-prof, loads the endpoint, and prints where the server's time went by function
// (self time, top 40) and by package. For finding what to cut; the figures that count are npm run bench's.
//   DATABASE_URL=postgres://… node --import tsx tests/bench/profile.ts /api/v1/me [server.js|api-server.js|noop|raw]
// (raw: the same-work raw baseline, tests/bench/http/raw-same-work.mjs, to see what the same work costs bare.)
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import '../../scripts/load-env'
import { seed } from './http/database'
import { load, warm } from './http/load'
import { BENCH_AUTH_SECRET, NOOP_DIR, ROOT, start } from './http/servers'

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const endpoint = process.argv[2] ?? '/api/v1/projects'
const entry = process.argv[3] ?? 'server.js'
const RAW = path.join(ROOT, 'tests/bench/http/raw-same-work.mjs')
const seconds = Number(process.env.BENCH_SECONDS ?? 8)

const data = await seed(300)
const dir = mkdtempSync(path.join(tmpdir(), 'twofold-prof-'))
const server = await start({
  name: entry,
  // 'noop': the no-op Next app through the same server.js, for comparison.
  args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, entry === 'noop' ? path.join(ROOT, 'server.js') : entry === 'raw' ? RAW : entry],
  cwd: entry === 'noop' ? NOOP_DIR : ROOT,
  env: (url) => ({
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: data.url,
    BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    APP_URL: url,
  }),
  readyPath: entry === 'noop' ? '/api/noop' : entry === 'raw' ? '/health' : '/api/health/ready',
})
const target = { name: endpoint, server, path: endpoint, authorizations: data.authorizations }
try {
  await warm(target, 200)
  const run = await load(target, seconds)
  console.log(`${endpoint} via ${entry}: ${run.reqPerSec} req/s, p50 ${run.p50} ms, ${run.requests} requests`)
  await server.stop()
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
  if (!file) throw new Error(`no profile written:\n${server.output().slice(-1000)}`)
  report(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile, run.requests)
} finally {
  await server.stop()
  await data.drop()
}

function report(profile: Profile, requests: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    const where = frame.url.replace(/^file:\/\//, '').replace(ROOT, '')
    const key = `${frame.functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${frame.lineNumber}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    const pkg =
      where.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
      (where.includes('/.next/')
        ? 'app bundle (.next)'
        : where.includes('/.api/')
          ? 'api bundle (.api)'
          : where
            ? where.startsWith('node:')
              ? 'node'
              : where
            : frame.functionName)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
  }
  const print = (title: string, map: Map<string, number>, n: number) => {
    console.log(`\n${title} (ms of CPU per request; share of samples)`)
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${(us / 1000 / requests).toFixed(3).padStart(7)}  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`)
    }
  }
  console.log(`\n${(total / 1000 / requests).toFixed(3)} ms of samples per request (idle included)`)
  print('by package', byPackage, 25)
  print('by function (self)', byFunction, 45)
}
