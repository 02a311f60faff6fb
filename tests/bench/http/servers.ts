// The servers the HTTP bench compares, each its own process on its own port: our app (server.js over the root's
// `next build`), a no-op Next app (the same server.js over tests/bench/noop-next's build), the API-only server, and
// two raw node:http + pg baselines: one doing the same work as ours in steady state (raw-same-work.mjs) and one doing
// more (raw-server.mjs: a token query and a rate-limit write per request). Also: builds when a build is stale, the RSS of a process tree, and the time from spawn to a first 200.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../../support/server'

export const ROOT = path.resolve(import.meta.dirname, '../../..')
/** The app's BETTER_AUTH_SECRET here; the bench signs its session cookie with it too (action.ts). */
export const BENCH_AUTH_SECRET = 'http-bench-secret-http-bench-secret-0123456789'
export const NOOP_DIR = path.join(ROOT, 'tests/bench/noop-next')

/** The newest modification time under `paths` (files or folders, recursively; build output and deps skipped). */
function newestMtime(paths: string[]): number {
  let newest = 0
  const visit = (file: string) => {
    if (!existsSync(file)) return
    const stat = statSync(file)
    if (stat.isDirectory()) {
      for (const entry of readdirSync(file)) if (entry !== '.next' && entry !== 'node_modules') visit(path.join(file, entry))
    } else newest = Math.max(newest, stat.mtimeMs)
  }
  for (const p of paths) visit(p)
  return newest
}

/**
 * Reuses `dir`'s production build if its BUILD_ID is newer than everything the build reads, else runs `next build`
 * there.
 */
export function ensureBuilt(label: string, dir: string, sources: string[]): 'reused' | 'built' {
  const buildId = path.join(dir, '.next', 'BUILD_ID')
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestMtime(sources.map((s) => path.join(dir, s)))) {
    console.log(`${label}: using the existing build in ${path.relative(ROOT, path.join(dir, '.next')) || '.next'}`)
    return 'reused'
  }
  console.log(`${label}: the build is missing or older than its sources: running next build`)
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  return 'built'
}

export const APP_SOURCES = ['src', 'public', 'next.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json']
export const NOOP_SOURCES = ['app', 'next.config.ts', 'tsconfig.json', path.join('..', '..', '..', 'package-lock.json')]

/**
 * The Node flags `npm start` (or `npm run start:api`) runs its entry with, read from package.json's script, so the
 * bench measures the process production runs: `NEXT_TELEMETRY_DISABLED=1 node --max-old-space-size=512 server.js`
 * gives ['--max-old-space-size=512'].
 */
export function productionNodeFlags(script: 'start' | 'start:api'): string[] {
  const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts
  const words = (scripts[script] ?? '').split(/\s+/)
  const node = words.indexOf('node')
  if (node === -1) throw new Error(`package.json's ${script} script does not run node`)
  return words.slice(node + 1).filter((word) => word.startsWith('--'))
}

export type Server = {
  name: string
  url: string
  pid: number
  /** Milliseconds from spawn to the first 200 on `readyPath`. */
  startupMs: number
  output(): string
  stop(): Promise<void>
}

/**
 * Node's compile cache for this run's servers (server.js and api-server.js enable it; the no-op runs the same
 * server.js): new for each run, so each server's first start-up compiles everything, as the first start on a new
 * machine or in a new container does, and the later ones read it, as a restart does.
 */
const COMPILE_CACHE = mkdtempSync(path.join(tmpdir(), 'twofold-bench-compile-cache-'))
process.once('exit', () => rmSync(COMPILE_CACHE, { recursive: true, force: true }))

type Spec = { name: string; args: string[]; cwd: string; env: (url: string) => Record<string, string>; readyPath: string }

/** Spawns a server and polls `readyPath` until it answers 200: the start-up figure is that time, spawn included. */
export async function start(spec: Spec): Promise<Server> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      NODE_COMPILE_CACHE: COMPILE_CACHE,
      ...spec.env(url),
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let printed = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(killer)
  }
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode} before answering:\n${printed}`)
    if (performance.now() - started > 60_000) {
      await stop()
      throw new Error(`${spec.name} gave no 200 within 60 s:\n${printed}`)
    }
    // Polled tightly: the interval is the figure's resolution.
    const status = await fetch(url + spec.readyPath).then(
      async (response) => {
        await response.arrayBuffer()
        return response.status
      },
      () => 0,
    )
    if (status === 200) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const startupMs = performance.now() - started
  if (child.pid === undefined) throw new Error(`${spec.name} has no pid`)
  return { name: spec.name, url, pid: child.pid, startupMs, output: () => printed, stop }
}

/** Bundles the API-only server (npm run build:api): quick, so it is rebuilt every run rather than checked. */
export function buildApiOnly(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-api.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
}

export function startApp(databaseUrl: string, entry: 'server.js' | 'api-server.js' = 'server.js'): Promise<Server> {
  return start({
    name: entry === 'server.js' ? 'app' : 'api-only',
    args: [...productionNodeFlags(entry === 'server.js' ? 'start' : 'start:api'), entry],
    cwd: ROOT,
    // As tests/support/server.ts starts it; info logging as in production (an access line per request is part of the cost).
    env: (url) => ({
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
      SEED_DEMO: 'false',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      APP_URL: url,
      // For trying V8 settings on the app alone (tests/bench/rss.ts), e.g. --max-semi-space-size=8; a flag npm start
      // already sets on the command line wins over the same one here.
      ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
    }),
    // Ready means the database answers and is migrated: the first request a load balancer would send.
    readyPath: '/api/health/ready',
  })
}

export function startNoop(): Promise<Server> {
  // The root's server.js with the no-op app's folder as working directory: next() serves process.cwd(), so both Next
  // apps go through the very same entry and the ratio measures the app, not the entry.
  return start({
    name: 'noop',
    // With npm start's flags too: the same entry, run the same way.
    args: [...productionNodeFlags('start'), path.join(ROOT, 'server.js')],
    cwd: NOOP_DIR,
    env: () => ({ NEXT_TELEMETRY_DISABLED: '1' }),
    readyPath: '/api/noop',
  })
}

/** The raw baseline doing more work than ours: a token query and a rate-limit write before the list. */
export function startRaw(databaseUrl: string): Promise<Server> {
  return start({
    name: 'raw-more-work',
    args: [path.join(ROOT, 'tests/bench/http/raw-server.mjs')],
    cwd: ROOT,
    env: () => ({ DATABASE_URL: databaseUrl }),
    readyPath: '/health',
  })
}

/** The raw baseline doing the same work as ours in steady state: tokens from memory, one list query, same JSON. */
export function startRawSameWork(databaseUrl: string): Promise<Server> {
  return start({
    name: 'raw-same-work',
    args: [path.join(ROOT, 'tests/bench/http/raw-same-work.mjs')],
    cwd: ROOT,
    env: () => ({ DATABASE_URL: databaseUrl }),
    readyPath: '/health',
  })
}

/** The pid and every descendant's, from /proc/<pid>/task/<tid>/children. */
function tree(pid: number): number[] {
  const all = [pid]
  for (let i = 0; i < all.length; i++) {
    const tasks = `/proc/${all[i]}/task`
    if (!existsSync(tasks)) continue
    for (const tid of readdirSync(tasks)) {
      try {
        const children = readFileSync(`${tasks}/${tid}/children`, 'utf8').trim()
        if (children) all.push(...children.split(/\s+/).map(Number))
      } catch {
        // The task ended between listing and reading.
      }
    }
  }
  return all
}

/** Resident memory of a process and its descendants, in bytes (VmRSS from /proc/<pid>/status). */
export function treeRss(pid: number): number {
  let total = 0
  for (const member of tree(pid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${member}/status`, 'utf8'))
      if (match?.[1]) total += Number(match[1]) * 1024
    } catch {
      // Ended meanwhile: it holds no memory any more.
    }
  }
  return total
}

const CLOCK_TICKS_PER_SECOND = 100

/**
 * CPU time (user + system) a process and its descendants have used so far, in milliseconds, from /proc/<pid>/stat.
 * Divided by the requests served, it is each request's cost to the server: unlike req/s, it hardly moves when the
 * machine is busy with something else.
 */
export function treeCpuMs(pid: number): number {
  let ticks = 0
  for (const member of tree(pid)) {
    try {
      // The fields after the command name (which is in parentheses and may hold spaces): utime is the 12th, stime the 13th.
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0)
    } catch {
      // Ended meanwhile.
    }
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1000
}
