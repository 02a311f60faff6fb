// npm test's prerequisite checks (scripts/test-prerequisites.mjs): what is missing is said in seconds, before the
// type check, the build and the suites, with how to get it.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { freePort } from '../../scripts/free-ports.mjs'
import {
  checkNode,
  checkPgBouncer,
  checkPostgres,
  findChromium,
  playwrightChromiumPath,
  SYSTEM_CHROMIUM_PATHS,
} from '../../scripts/test-prerequisites.mjs'
import { isPostgresRun } from '../support/postgres'

const root = path.resolve(import.meta.dirname, '../..')

describe('Node.js', () => {
  test.each([
    ['24.0.0', null],
    ['24.11.1', null],
    ['25.2.0', null],
    ['22.12.0', null],
    ['22.21.1', null],
  ])('%s is supported', (version, problem) => {
    expect(checkNode(version)).toBe(problem)
  })

  test.each(['20.19.5', '22.11.0', '18.20.8', 'v21.7.3'])('%s is not, and the message says what to install', (version) => {
    expect(checkNode(version)).toMatch(
      new RegExp(`^Node.js ${version} is not supported \\(package.json engines: \\^22.12.0 \\|\\| >=24.0.0\\)\\.\\nInstall Node.js 24`),
    )
  })
})

describe('Chromium', () => {
  const only =
    (...present: string[]) =>
    (candidate: string) =>
      present.includes(candidate)

  test('CHROMIUM_PATH, when set, is the one used, even with others installed', () => {
    expect(
      findChromium({ env: { CHROMIUM_PATH: '/opt/c/chrome' }, exists: only('/opt/c/chrome', '/usr/bin/chromium'), playwrightPath: '/pw' }),
    ).toEqual({
      ok: true,
      kind: 'CHROMIUM_PATH',
      executablePath: '/opt/c/chrome',
    })
  })

  test('CHROMIUM_PATH naming nothing is a problem, never a silent fallback', () => {
    const found = findChromium({ env: { CHROMIUM_PATH: '/nonexistent' }, exists: only('/usr/bin/chromium'), playwrightPath: null })
    expect(found).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^CHROMIUM_PATH is \/nonexistent, which does not exist\.\nGet one with `npx playwright install chromium`/,
      ),
    })
  })

  test("Playwright's own browser comes before a system one, and Playwright is left to find it", () => {
    expect(findChromium({ env: {}, exists: only('/pw/chrome', '/usr/bin/chromium'), playwrightPath: '/pw/chrome' })).toEqual({
      ok: true,
      kind: 'playwright',
      executablePath: null,
      found: '/pw/chrome',
    })
  })

  test.each(SYSTEM_CHROMIUM_PATHS)('a system browser at %s is found', (where) => {
    expect(findChromium({ env: {}, exists: only(where), playwrightPath: '/pw/not-installed' })).toEqual({
      ok: true,
      kind: 'system',
      executablePath: where,
    })
  })

  test('the macOS paths are among those searched', () => {
    expect(SYSTEM_CHROMIUM_PATHS).toContain('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
  })

  test('none anywhere: the problem says how to get one in two lines, --no-e2e included', () => {
    const found = findChromium({ env: {}, exists: only(), playwrightPath: '/pw/not-installed' })
    expect(found.ok).toBe(false)
    if (found.ok) return
    const [first, ...rest] = found.problem.split('\n')
    expect(first).toBe('No Chromium for the browser suite.')
    expect(rest).toHaveLength(2)
    expect(rest.join(' ')).toMatch(/npx playwright install chromium.*apt-get install chromium.*CHROMIUM_PATH.*--no-e2e/)
  })

  test('TWOFOLD_CHROMIUM_SEARCH=none hides the installed ones', () => {
    expect(findChromium({ env: { TWOFOLD_CHROMIUM_SEARCH: 'none' }, exists: () => true, playwrightPath: '/pw' }).ok).toBe(false)
  })

  test("Playwright's browser path is the real one Playwright would launch", () => {
    expect(playwrightChromiumPath()).toMatch(/ms-playwright/)
  })
})

describe('PostgreSQL', () => {
  test('without DATABASE_URL (PGlite) there is nothing to check', async () => {
    expect(await checkPostgres(undefined)).toBeNull()
    expect(await checkPostgres('memory://')).toBeNull()
    expect(checkPgBouncer({})).toBeNull()
  })

  test('a server that does not answer is named, with what to do, within the timeout', async () => {
    const port = await freePort()
    const started = Date.now()
    expect(await checkPostgres(`postgres://postgres@127.0.0.1:${port}/test`, { timeoutMs: 1000 })).toBe(
      `DATABASE_URL names PostgreSQL at 127.0.0.1:${port}, which does not answer.\nStart PostgreSQL there, or unset DATABASE_URL to run on embedded PGlite.`,
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test('something that accepts the connection but never speaks PostgreSQL is a refusal, not a hang', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const address = silent.address()
    const port = typeof address === 'object' && address ? address.port : 0
    try {
      expect(await checkPostgres(`postgres://postgres@127.0.0.1:${port}/test`, { timeoutMs: 500 })).toMatch(
        new RegExp(`^PostgreSQL at 127.0.0.1:${port} refused the connection: `),
      )
    } finally {
      silent.close()
    }
  })

  test('PgBouncer missing on a PostgreSQL run is named with how to install it', () => {
    expect(checkPgBouncer({ DATABASE_URL: 'postgres://x@h/db', PGBOUNCER_BIN: '/nonexistent/pgbouncer' })).toMatch(
      /^PostgreSQL runs test PgBouncer too, and \/nonexistent\/pgbouncer is missing\.\nInstall it \(Debian\/Ubuntu: `sudo apt-get install pgbouncer`/,
    )
  })

  test.runIf(isPostgresRun())('(PostgreSQL only) the server in DATABASE_URL passes', async () => {
    expect(await checkPostgres(process.env.DATABASE_URL)).toBeNull()
  })
})

describe('npm test itself', () => {
  test('without a Chromium it stops within seconds, before the type check, saying what to do', async () => {
    const started = Date.now()
    const child = spawn(process.execPath, ['scripts/test.mjs'], {
      cwd: root,
      env: { ...process.env, CHROMIUM_PATH: '', TWOFOLD_CHROMIUM_SEARCH: 'none', DATABASE_URL: '' },
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect(output).toContain('npm test cannot run yet:')
    expect(output).toContain('• No Chromium for the browser suite.')
    expect(output).toContain('npx playwright install chromium')
    expect(output).not.toContain('── typecheck')
    expect(output.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed')
    expect(Date.now() - started).toBeLessThan(30_000)
  })
})
