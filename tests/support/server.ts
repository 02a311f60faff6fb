// The production server (server.js over the existing `next build`) as a child process, for the suites that must go
// through real HTTP: the auth boundary, outages, shutdown, headers. Each server gets a free port, its own database
// (in-memory PGlite, or a fresh PostgreSQL database when DATABASE_URL is set) and captures its output.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Database, openDatabase } from '../../src/server/db/client'
import { adminPool, isPostgresRun, postgresUrlFor } from './postgres'

export type RunningServer = {
  url: string
  port: number
  /** The server process's id (for memory figures). */
  pid: number
  /** The database the server was given (a postgres:// URL, or memory://). */
  databaseUrl: string
  /** Everything the server printed so far, stdout and stderr interleaved. */
  output(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
  /** Sends `signal` (SIGTERM by default) and waits for the exit code; kills it after 20 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export type ServerOptions = {
  /** Which production entry to run: the whole app (server.js, default) or the API-only server. */
  entry?: 'server.js' | 'api-server.js'
  /** Added to (or, with undefined, removed from) the server's environment. */
  env?: Record<string, string | undefined>
  /** Wait for the `listening` line (default) or return at once. */
  waitUntilListening?: boolean
}

const ROOT = path.resolve(import.meta.dirname, '../..')

export function assertBuilt(entry: ServerOptions['entry'] = 'server.js'): void {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build: run `npx next build` first (npm test does).')
  }
  if (entry === 'api-server.js' && !existsSync(path.join(ROOT, '.api', 'entry.mjs'))) {
    throw new Error('No API-only build: run `npm run build:api` first (npm test does).')
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** A new, empty PostgreSQL database on the DATABASE_URL server (named `prefix`_…), dropped by the returned function. */
export async function throwawayPostgres(prefix = 'twofold_http'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const admin = adminPool()
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end())
  return {
    url: postgresUrlFor(name),
    async drop() {
      const cleanup = adminPool()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => cleanup.end())
    },
  }
}

/**
 * A database for a suite's servers that the suite also seeds itself: a fresh PostgreSQL database on a PostgreSQL run,
 * else a PGlite directory (a server's in-memory PGlite could not be reached from the test). `env` goes to startServer;
 * `open()` gives the test its own connection to the same data; `drop()` removes it.
 */
export async function suiteDatabase(
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<{ env: Record<string, string | undefined>; open(): Promise<Database>; drop(): Promise<void> }> {
  if (isPostgresRun()) {
    const fresh = await throwawayPostgres()
    return {
      env: { DATABASE_URL: fresh.url, ...extraEnv },
      open: () => openDatabase({ kind: 'postgres', url: fresh.url }),
      drop: fresh.drop,
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), `twofold-${label}-db-`))
  return {
    env: { DATABASE_URL: undefined, PGLITE_DIR: dir, ...extraEnv },
    open: () => openDatabase({ kind: 'pglite', dataDir: dir }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const entry = options.entry ?? 'server.js'
  assertBuilt(entry)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const database = 'DATABASE_URL' in (options.env ?? {}) ? null : isPostgresRun() ? await throwawayPostgres() : null
  const databaseUrl = options.env?.DATABASE_URL ?? database?.url ?? 'memory://'

  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' }
  for (const [key, value] of Object.entries({
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: url,
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: 'http-suite-secret-http-suite-secret-0123456789',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    TRUST_PROXY: undefined,
    ...options.env,
  })) {
    if (value !== undefined) env[key] = value
  }

  const child: ChildProcess = spawn(process.execPath, [entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let printed = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  // stop() waits for this too, so a suite that ends right after stopping its server leaves no database behind.
  const dropped = exited.then(() => database?.drop().catch(() => {}))

  const server: RunningServer = {
    url,
    port,
    pid: child.pid ?? 0,
    databaseUrl,
    output: () => printed,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await exited
      clearTimeout(killer)
      await dropped
      return code
    },
  }

  if (options.waitUntilListening !== false) {
    const started = Date.now()
    while (!/"message":"listening"/.test(printed)) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening:\n${printed}`)
      if (Date.now() - started > 60_000) {
        await server.stop('SIGKILL')
        throw new Error(`server did not start within 60 s:\n${printed}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return server
}
