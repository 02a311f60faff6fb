// `npm run cluster`: the product as a team that has outgrown one machine runs it, on loopback, from the production
// build — HAProxy (deploy/haproxy.cfg) routing the public API and the health checks to two API-only instances and
// everything else to two app instances; PgBouncer in transaction mode (deploy/pgbouncer.ini) in front of PostgreSQL
// for the request pools, with a direct connection for LISTEN/NOTIFY and migrations; the S3 stand-in for files. The
// background workers run where WORKERS says (by default on the app instances only: README, "Running several
// instances"). Ctrl-C stops it all. tests/cluster/ drives the same topology through startCluster().
//
//   npm run build && npm run cluster          CLUSTER_PORT_BASE (18000), CLUSTER_DATABASE (twofold_cluster)
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { type S3Standin, startS3Standin } from '../tests/support/s3'

const ROOT = path.resolve(import.meta.dirname, '..')
const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy'
const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer'
/** PostgreSQL itself: the server the cluster's database is created on, and what PgBouncer forwards to. */
const POSTGRES = process.env.CLUSTER_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export type InstanceKind = 'app' | 'api'
export type InstanceName = 'app1' | 'app2' | 'api1' | 'api2'

export type Instance = {
  name: InstanceName
  kind: InstanceKind
  port: number
  /** The instance itself, bypassing HAProxy. */
  url: string
  pid(): number | undefined
  running(): boolean
  /** Everything it printed since it was last started. */
  output(): string
  start(): Promise<void>
  /** Sends `signal` and waits for the exit (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export type ClusterOptions = {
  /** Ports: HAProxy base+80, PgBouncer base+432, S3 base+570, instances base+101/102 (app), base+201/202 (API). */
  portBase?: number
  /** A database of that name, created if missing and kept; unset: a throwaway one, dropped on stop. */
  database?: string
  /** The request pools through PgBouncer (default) or straight to PostgreSQL. */
  pooler?: boolean
  /** Added to every instance's environment (SMTP_URL, STRIPE_*, …). */
  env?: Record<string, string>
  /** WORKERS per instance; default: all on the app instances, none on the API-only ones. */
  workers?: Partial<Record<InstanceName, string>>
  /** How long an instance keeps serving after SIGTERM with readiness at 503 (SHUTDOWN_DRAIN_MS). */
  drainMs?: number
  /** Where instance lines go as they come (default: nowhere; output() keeps them). */
  onLine?: (name: string, line: string) => void
}

export type Cluster = {
  /** HAProxy: the one address clients use. */
  url: string
  /** The cluster's database, straight (for checks from outside). */
  directUrl: string
  /** What the instances' request pools use (PgBouncer's address, or directUrl without the pooler). */
  poolUrl: string
  instances: Instance[]
  instance(name: InstanceName): Instance
  s3: S3Standin
  /** HAProxy's view: server name → status (UP, DOWN, MAINT, …). */
  serverStates(): Promise<Map<string, string>>
  /** A command on HAProxy's admin socket (`disable server api/api2`), and its answer. */
  admin(command: string): Promise<string>
  /** Waits until HAProxy reports `name` with `status` (UP, DOWN, …). */
  waitForState(name: InstanceName, status: string, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end()
      resolve(true)
    }).on('error', () => resolve(false))
  })
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, detail = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${detail()}`)
    await sleep(100)
  }
}

/** A child process whose output is kept (the last 200 kB) and handed on line by line. */
function spawnKept(command: string, args: string[], env: NodeJS.ProcessEnv, name: string, onLine?: (name: string, line: string) => void) {
  let output = ''
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (chunk: Buffer) => {
    const text = chunk.toString()
    output = (output + text).slice(-200_000)
    if (onLine) for (const line of text.split('\n')) if (line.trim()) onLine(name, line)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))))
  return { child, exited, output: () => output }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return exited
  child.kill(signal)
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  try {
    return await exited
  } finally {
    clearTimeout(killer)
  }
}

function createInstance(
  name: InstanceName,
  kind: InstanceKind,
  port: number,
  env: NodeJS.ProcessEnv,
  onLine?: ClusterOptions['onLine'],
): Instance {
  const url = `http://127.0.0.1:${port}`
  let current: ReturnType<typeof spawnKept> | undefined
  const args = kind === 'app' ? ['--max-old-space-size=512', '--max-semi-space-size=16', 'server.js'] : ['api-server.js']
  const instance: Instance = {
    name,
    kind,
    port,
    url,
    pid: () => current?.child.pid,
    running: () => current !== undefined && current.child.exitCode === null && current.child.signalCode === null,
    output: () => current?.output() ?? '',
    async start() {
      current = spawnKept(process.execPath, args, { ...env, PORT: String(port) }, name, onLine)
      const started = current
      await waitFor(
        `${name} ready`,
        async () => {
          if (!instance.running()) throw new Error(`${name} exited while starting:\n${started.output()}`)
          return (await fetch(`${url}/api/health/ready`).catch(() => null))?.status === 200
        },
        90_000,
        started.output,
      )
    },
    async stop(signal = 'SIGTERM') {
      if (!current) return null
      return stopChild(current.child, current.exited, signal)
    },
  }
  return instance
}

/** One command on HAProxy's admin socket, and its answer. */
function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect(socketPath, () => socket.write(`${command}\n`))
    socket.on('data', (chunk) => {
      text += chunk.toString()
    })
    socket.on('error', reject)
    socket.on('end', () => resolve(text))
  })
}

/** `show stat`: server name → status. */
async function haproxyStates(socketPath: string): Promise<Map<string, string>> {
  const states = new Map<string, string>()
  for (const row of (await haproxyCommand(socketPath, 'show stat')).split('\n')) {
    // `show stat` CSV: svname is the second column, status the eighteenth.
    const columns = row.split(',')
    const server = columns[1]
    const status = columns[17]
    if (server && status && server !== 'FRONTEND' && server !== 'BACKEND' && server !== 'svname') states.set(server, status)
  }
  return states
}

/**
 * PgBouncer from the committed deploy/pgbouncer.ini (written into `dir`), with its port replaced and, given
 * `postgres` (any URL on the server), its databases pointed at that server.
 */
export async function startPgBouncer(
  port: number,
  dir: string,
  onLine?: ClusterOptions['onLine'],
  postgres?: string,
): Promise<{ stop(): Promise<void> }> {
  if (!existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is missing: apt-get install pgbouncer (or set PGBOUNCER_BIN)`)
  const ini = path.join(dir, 'pgbouncer.ini')
  let text = readFileSync(path.join(ROOT, 'deploy/pgbouncer.ini'), 'utf8').replace(/^listen_port = \d+$/m, `listen_port = ${port}`)
  if (postgres) {
    const server = new URL(postgres)
    const user = decodeURIComponent(server.username) || 'postgres'
    text = text.replace(/^\* = .*$/m, `* = host=${server.hostname} port=${server.port || 5432} user=${user}`)
  }
  writeFileSync(ini, text, { mode: 0o644 })
  // PgBouncer refuses to run as root; as root it is told which user to become.
  const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : []
  const bouncer = spawnKept(PGBOUNCER, [...asUser, ini], process.env, 'pgbouncer', onLine)
  const stop = async () => void (await stopChild(bouncer.child, bouncer.exited, 'SIGINT'))
  try {
    await waitFor('pgbouncer listening', () => portOpen(port), 10_000, bouncer.output)
  } catch (error) {
    await stop()
    throw error
  }
  return { stop }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  for (const entry of ['.next/BUILD_ID', '.api/entry.mjs']) {
    if (!existsSync(path.join(ROOT, entry))) throw new Error(`no production build (${entry}): run \`npm run build\` first`)
  }
  for (const binary of options.pooler === false ? [HAPROXY] : [HAPROXY, PGBOUNCER]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install haproxy pgbouncer (or set HAPROXY_BIN, PGBOUNCER_BIN)`)
  }
  const base = options.portBase ?? Number(process.env.CLUSTER_PORT_BASE ?? 18000)
  const ports = {
    haproxy: base + 80,
    pgbouncer: base + 432,
    s3: base + 570,
    app1: base + 101,
    app2: base + 102,
    api1: base + 201,
    api2: base + 202,
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'twofold-cluster-'))
  const cleanups: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error))
    cleanups.length = 0
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    // The database: created on PostgreSQL itself (CREATE DATABASE cannot go through a transaction-mode pooler).
    const name = options.database ?? `twofold_cluster_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: POSTGRES })
    await admin.connect()
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
      if (exists.rowCount === 0) await admin.query(`create database ${name}`)
    } finally {
      await admin.end()
    }
    if (!options.database) {
      cleanups.push(async () => {
        const dropper = new pg.Client({ connectionString: POSTGRES })
        await dropper.connect()
        await dropper.query(`drop database if exists ${name} with (force)`).finally(() => dropper.end())
      })
    }
    const directUrl = new URL(POSTGRES)
    directUrl.pathname = `/${name}`

    // PgBouncer, from the committed configuration with only its port replaced.
    let poolUrl = directUrl.href
    if (options.pooler !== false) {
      const bouncer = await startPgBouncer(ports.pgbouncer, dir, options.onLine, POSTGRES)
      cleanups.push(bouncer.stop)
      const pooled = new URL(directUrl.href)
      pooled.port = String(ports.pgbouncer)
      poolUrl = pooled.href
    }

    const s3 = await startS3Standin(ports.s3)
    cleanups.push(() => s3.stop())

    const haproxyUrl = `http://127.0.0.1:${ports.haproxy}`
    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      APP_URL: haproxyUrl,
      DATABASE_URL: poolUrl,
      DATABASE_DIRECT_URL: directUrl.href,
      DATABASE_POOL_MODE: options.pooler === false ? 'session' : 'transaction',
      // Every instance gets the same secrets: sessions and server actions must work whichever instance answers.
      BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET ?? 'cluster-secret-cluster-secret-0123456789abcdef',
      NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
      TRUST_PROXY: '1',
      SEED_DEMO: 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      FILES_STORAGE: 's3',
      S3_BUCKET: s3.config.bucket,
      S3_REGION: s3.config.region,
      S3_ENDPOINT: s3.config.endpoint ?? '',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: s3.config.credentials?.accessKeyId ?? '',
      S3_SECRET_ACCESS_KEY: s3.config.credentials?.secretAccessKey ?? '',
      // Longer than HAProxy takes to see readiness fail (a check every 500 ms, down after two).
      SHUTDOWN_DRAIN_MS: String(options.drainMs ?? 2_000),
      SHUTDOWN_GRACE_MS: '20000',
      ...options.env,
    }
    const defaults: Record<InstanceName, string> = { app1: 'all', app2: 'all', api1: 'none', api2: 'none' }
    const instances = (['app1', 'app2', 'api1', 'api2'] as const).map((instanceName) =>
      createInstance(
        instanceName,
        instanceName.startsWith('app') ? 'app' : 'api',
        ports[instanceName],
        { ...shared, WORKERS: options.workers?.[instanceName] ?? defaults[instanceName] },
        options.onLine,
      ),
    )
    cleanups.push(async () => void (await Promise.all(instances.map((instance) => instance.stop()))))
    // The first one migrates the new database; the rest find it current.
    const [first, ...rest] = instances
    await first?.start()
    for (const instance of rest) await instance.start()

    const statsSocket = path.join(dir, 'haproxy.sock')
    const haproxy = spawnKept(
      HAPROXY,
      ['-db', '-f', path.join(ROOT, 'deploy/haproxy.cfg')],
      {
        ...process.env,
        HAPROXY_PORT: String(ports.haproxy),
        HAPROXY_STATS_SOCKET: statsSocket,
        APP1_PORT: String(ports.app1),
        APP2_PORT: String(ports.app2),
        API1_PORT: String(ports.api1),
        API2_PORT: String(ports.api2),
      },
      'haproxy',
      options.onLine,
    )
    cleanups.push(async () => void (await stopChild(haproxy.child, haproxy.exited, 'SIGTERM')))
    await waitFor('haproxy listening', () => portOpen(ports.haproxy), 10_000, haproxy.output)

    const serverStates = () => haproxyStates(statsSocket)
    const waitForState = (server: InstanceName, status: string, timeoutMs = 30_000) =>
      waitFor(`haproxy: ${server} ${status}`, async () => (await serverStates()).get(server) === status, timeoutMs, haproxy.output)
    for (const instance of instances) await waitForState(instance.name, 'UP')

    return {
      url: haproxyUrl,
      directUrl: directUrl.href,
      poolUrl,
      instances,
      instance: (wanted) => {
        const found = instances.find((instance) => instance.name === wanted)
        if (!found) throw new Error(`no instance ${wanted}`)
        return found
      },
      s3,
      serverStates,
      admin: (command) => haproxyCommand(statsSocket, command),
      waitForState,
      stop: stopAll,
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

// Run as a script: start, print where everything is, stop on Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cluster = await startCluster({
    database: process.env.CLUSTER_DATABASE ?? 'twofold_cluster',
    env: Object.fromEntries(
      [
        'SMTP_URL',
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'STRIPE_PRICE_PRO',
        'STRIPE_API_URL',
        'STRIPE_STANDIN_IN_PRODUCTION',
        'SEED_DEMO',
      ]
        .map((key) => [key, process.env[key]])
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
    onLine: (name, line) => console.log(`${name.padEnd(9)} ${line}`),
  })
  console.log(`\nTwofold on ${cluster.url} (HAProxy) — Ctrl-C stops everything`)
  for (const instance of cluster.instances) console.log(`  ${instance.name}  ${instance.url}  pid ${instance.pid()}`)
  console.log(
    `  request pools: ${cluster.poolUrl}\n  LISTEN/NOTIFY and migrations: ${cluster.directUrl}\n  S3: ${cluster.s3.config.endpoint}`,
  )
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log('stopping…')
    await cluster.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}
