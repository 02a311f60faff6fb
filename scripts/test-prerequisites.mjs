// What `npm test` needs before its first slow step: a supported Node.js, a Chromium for the browser suite, and
// PostgreSQL answering when DATABASE_URL names one. Each check returns a problem (what is missing, how to get it) or
// null, within seconds, so a newcomer learns it before the type check, the build and twenty minutes of suites.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'

/** The Node.js lines package.json's `engines` allows: 22 from 22.12, and 24 on. Node 20 is end of life. */
export const SUPPORTED_NODE = '^22.12.0 || >=24.0.0'

/** A problem with the running Node.js version (e.g. '20.19.0'), or null when it is supported. */
export function checkNode(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
  if (major >= 24 || (major === 22 && minor >= 12)) return null
  return [
    `Node.js ${version} is not supported (package.json engines: ${SUPPORTED_NODE}).`,
    'Install Node.js 24 (nodejs.org, or `nvm install 24`), then run npm test again.',
  ].join('\n')
}

/** Where a system Chromium or Chrome usually lives on Linux and macOS, in the order they are tried. */
export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
]

/** The browser Playwright downloads with `npx playwright install chromium`, whether or not it is there. */
export function playwrightChromiumPath() {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core')
    return chromium.executablePath()
  } catch {
    return null
  }
}

export const HOW_TO_GET_CHROMIUM = [
  'Get one with `npx playwright install chromium` (any OS), or install Chromium or Chrome (Debian/Ubuntu:',
  '`sudo apt-get install chromium`), or point CHROMIUM_PATH at a Chromium binary; `npm test -- --no-e2e` leaves the browser suite out.',
].join('\n')

/**
 * The Chromium the browser suite launches: CHROMIUM_PATH when it is set (an explicit choice is never second-guessed),
 * else Playwright's own browser when installed, else the first system Chromium or Chrome found. `kind` says which;
 * `executablePath` is null for Playwright's own (Playwright finds it itself).
 * TWOFOLD_CHROMIUM_SEARCH=none hides Playwright's browser and the system paths (to see what a machine without one gets).
 */
export function findChromium({ env = process.env, exists = existsSync, playwrightPath = playwrightChromiumPath() } = {}) {
  if (env.CHROMIUM_PATH) {
    if (exists(env.CHROMIUM_PATH)) return { ok: true, kind: 'CHROMIUM_PATH', executablePath: env.CHROMIUM_PATH }
    return { ok: false, problem: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist.\n${HOW_TO_GET_CHROMIUM}` }
  }
  const searching = env.TWOFOLD_CHROMIUM_SEARCH !== 'none'
  if (searching && playwrightPath && exists(playwrightPath))
    return { ok: true, kind: 'playwright', executablePath: null, found: playwrightPath }
  const system = searching ? SYSTEM_CHROMIUM_PATHS.find((candidate) => exists(candidate)) : undefined
  if (system) return { ok: true, kind: 'system', executablePath: system }
  return { ok: false, problem: `No Chromium for the browser suite.\n${HOW_TO_GET_CHROMIUM}` }
}

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
function reachable(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (result) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * A problem when DATABASE_URL names a PostgreSQL server that does not answer, or refuses the role, or the role may
 * not create databases (every suite makes its own); null when DATABASE_URL is unset (PGlite) or all is well.
 */
export async function checkPostgres(databaseUrl, { timeoutMs = 3000 } = {}) {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl ?? '')) return null
  const url = new URL(databaseUrl)
  const where = `${url.hostname}:${url.port || 5432}`
  if (!(await reachable(url.hostname, Number(url.port || 5432), timeoutMs))) {
    return `DATABASE_URL names PostgreSQL at ${where}, which does not answer.\nStart PostgreSQL there, or unset DATABASE_URL to run on embedded PGlite.`
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs })
  try {
    await client.connect()
    const { rows } = await client.query('SELECT rolcreatedb OR rolsuper AS may FROM pg_roles WHERE rolname = current_user')
    if (!rows[0]?.may) return `The role in DATABASE_URL may not create databases; the suites need CREATEDB (ALTER ROLE … CREATEDB).`
    return null
  } catch (error) {
    return `PostgreSQL at ${where} refused the connection: ${error instanceof Error ? error.message : error}`
  } finally {
    await client.end().catch(() => {})
  }
}

/** On PostgreSQL runs the pooler test (tests/unit/pooler.test.ts) starts PgBouncer: a problem when it is missing. */
export function checkPgBouncer(env = process.env, exists = existsSync) {
  if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '')) return null
  const binary = env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer'
  if (exists(binary)) return null
  return `PostgreSQL runs test PgBouncer too, and ${binary} is missing.\nInstall it (Debian/Ubuntu: \`sudo apt-get install pgbouncer\`; macOS: \`brew install pgbouncer\`) or set PGBOUNCER_BIN.`
}

/** Every problem, in the order a newcomer should fix them; empty when the run can go ahead. */
export async function prerequisiteProblems({ env = process.env, nodeVersion = process.versions.node, browser = true } = {}) {
  const problems = []
  const node = checkNode(nodeVersion)
  if (node) problems.push(node)
  if (browser) {
    const chromium = findChromium({ env })
    if (!chromium.ok) problems.push(chromium.problem)
  }
  const postgres = await checkPostgres(env.DATABASE_URL)
  if (postgres) problems.push(postgres)
  const pooler = checkPgBouncer(env)
  if (pooler) problems.push(pooler)
  return problems
}
