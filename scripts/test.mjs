#!/usr/bin/env node
// `npm test`: type check → lint → Vitest unit+api → `next build` (and the API-only server's bundle) once → Vitest real-HTTP suites (tests/http, against
// `node server.js` from that build) → Playwright against `node server.js` from the same build, then a closing
// `N passed, N failed` line. Every suite must report as many tests as its runner lists: a missing or unreadable
// report, zero tests, or fewer tests run than listed is a failure, not a smaller number. Before any of it, the
// prerequisites (scripts/test-prerequisites.mjs): a supported Node.js, a Chromium, PostgreSQL and PgBouncer when
// DATABASE_URL names a server; what is missing is said in seconds, with how to get it. The browser suite is required
// (pass --no-e2e to leave it out on purpose; CI never does).
//
//   --skip-static    the database-independent checks already ran (CI's PostgreSQL pass)
//   --reuse-build    use the existing .next build instead of building (CI's PostgreSQL pass)
//   --node=<binary>  also run the Vitest unit+api suites on this Node.js binary (CI: Node 24)
//   --no-e2e         leave out the browser suite, and say so
//
// With DATABASE_URL=postgres://… every suite runs on PostgreSQL: the Vitest suites and each real-HTTP server make
// and drop their own databases, and the browser suite gets a fresh database here, dropped afterwards.
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { assignPorts, E2E_PORT_VARIABLES } from './free-ports.mjs'
import { findChromium, prerequisiteProblems } from './test-prerequisites.mjs'

const argv = process.argv.slice(2)
const flag = (name) => argv.includes(name)
const option = (name) => argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1)

const postgresUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : null
// What may skip, and only on PGlite: tests of PostgreSQL itself (its pool, its advisory lock, an outage), either
// in these files or named "(PostgreSQL only…)". Anything else that skips fails the run.
const POSTGRES_ONLY_FILES = ['tests/unit/database.test.ts']
const POSTGRES_ONLY_NAME = /\(PostgreSQL only\b/

const reports = mkdtempSync(path.join(tmpdir(), 'twofold-test-'))
const totals = { passed: 0, failed: 0 }
const summary = []
let failedSteps = 0
/** How long each test file took, from the runners' reports: the slowest are printed at the end. */
const fileTimes = []

function run(command, args, env = {}) {
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } })
}

function step(name, command, args, env = {}) {
  console.log(`\n── ${name}: ${[command, ...args].join(' ')}`)
  const started = Date.now()
  const result = run(command, args, env)
  const ok = result.status === 0
  summary.push(`${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  if (!ok) failedSteps++
  return ok
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

/** Records a suite's counts, and a failure when it ran fewer tests than its runner listed. */
function count(name, { listed, passed, failed, skipped, problems }) {
  totals.passed += passed
  totals.failed += failed
  const missing = listed === null ? ['its test list could not be read'] : []
  if (listed === 0) missing.push('it lists no tests')
  if (listed !== null && passed + failed < listed) missing.push(`${listed} listed but ${passed + failed} ran`)
  const all = [...missing, ...problems]
  summary.push(`  ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped, ${listed ?? '?'} listed`)
  for (const problem of all) summary.push(`  ${name}: FAILED: ${problem}`)
  if (all.length > 0) {
    failedSteps++
    // A suite that went missing counts as one failed test, so the closing line cannot read as all passed.
    totals.failed += failed === 0 ? 1 : 0
  }
}

function finish() {
  if (fileTimes.length > 0) {
    console.log('\n── the ten slowest test files')
    for (const { suite, file, seconds } of fileTimes.sort((a, b) => b.seconds - a.seconds).slice(0, 10)) {
      console.log(`${seconds.toFixed(1).padStart(7)} s  ${file} (${suite})`)
    }
  }
  console.log('\n── summary')
  for (const line of summary) console.log(line)
  console.log(`${totals.passed} passed, ${totals.failed} failed`)
  process.exit(failedSteps > 0 || totals.failed > 0 ? 1 : 0)
}

/** A Vitest suite: list what it will run, run it with a JSON report, compare. `node` runs Vitest on another binary. */
function vitest(name, configArgs, { node = null, env = {} } = {}) {
  const slug = name.replace(/\W+/g, '-')
  const listFile = path.join(reports, `${slug}-list.json`)
  const reportFile = path.join(reports, `${slug}.json`)
  const [command, prefix] = node ? [node, ['node_modules/vitest/vitest.mjs']] : ['npx', ['vitest']]
  run(command, [...prefix, 'list', ...configArgs, `--json=${listFile}`], env)
  const list = readJson(listFile)
  step(name, command, [...prefix, 'run', ...configArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`], env)
  const report = readJson(reportFile)
  if (!report) {
    count(name, { listed: Array.isArray(list) ? list.length : null, passed: 0, failed: 0, skipped: 0, problems: ['no readable report'] })
    return
  }
  for (const file of report.testResults) {
    fileTimes.push({ suite: name, file: path.relative(process.cwd(), file.name), seconds: (file.endTime - file.startTime) / 1000 })
  }
  const problems = []
  const skipped = report.testResults.flatMap((file) =>
    file.assertionResults.filter((t) => !['passed', 'failed'].includes(t.status)).map((t) => ({ file: file.name, name: t.fullName })),
  )
  for (const test of skipped) {
    const relative = path.relative(process.cwd(), test.file)
    const postgresOnly = POSTGRES_ONLY_FILES.includes(relative) || POSTGRES_ONLY_NAME.test(test.name)
    if (postgresUrl || !postgresOnly) problems.push(`skipped without being told to: ${relative} › ${test.name}`)
  }
  if (report.numFailedTestSuites > 0 && report.numFailedTests === 0)
    problems.push(`${report.numFailedTestSuites} test file(s) failed to load`)
  count(name, {
    listed: Array.isArray(list) ? list.length : null,
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: skipped.length,
    problems,
  })
}

/** A fresh PostgreSQL database for the browser suite's server, so a run leaves nothing behind in DATABASE_URL's. */
async function freshPostgresDatabase() {
  const name = `twofold_e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(postgresUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: postgresUrl })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}

async function playwright() {
  const database = postgresUrl ? await freshPostgresDatabase() : null
  // Free ports for its servers, from the OS, unless E2E_PORT and the rest are set: two runs on one machine never clash.
  const env = { E2E_DATABASE_URL: database?.url ?? 'memory://', ...(await assignPorts(E2E_PORT_VARIABLES)) }
  try {
    const listed = spawnSync('npx', ['playwright', 'test', '--list'], { encoding: 'utf8', env: { ...process.env, ...env } })
    const total = /^Total: (\d+) tests? in/m.exec(listed.stdout ?? '')
    const reportFile = path.join(reports, 'playwright.json')
    step('browser suite (Playwright)', 'npx', ['playwright', 'test', '--reporter=list,json'], {
      ...env,
      PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile,
    })
    const report = readJson(reportFile)
    const stats = report?.stats
    // A spec file's time: its tests' durations, summed (its tests may have run on both workers).
    const perFile = new Map()
    const collect = (suite) => {
      for (const spec of suite.specs ?? []) {
        for (const one of spec.tests ?? []) {
          const ms = (one.results ?? []).reduce((sum, result) => sum + (result.duration ?? 0), 0)
          perFile.set(spec.file, (perFile.get(spec.file) ?? 0) + ms)
        }
      }
      for (const child of suite.suites ?? []) collect(child)
    }
    for (const suite of report?.suites ?? []) collect(suite)
    for (const [file, ms] of perFile) fileTimes.push({ suite: 'playwright', file: path.join('tests/e2e', file), seconds: ms / 1000 })
    const problems = stats ? [] : ['no readable report']
    // Specs that need script are left out of the no-JavaScript project by the config (grepInvert), so they are not
    // listed there; nothing may skip at run time.
    if (stats?.skipped > 0) problems.push(`${stats.skipped} skipped`)
    count('playwright', {
      listed: total ? Number(total[1]) : null,
      passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
      failed: stats?.unexpected ?? 0,
      skipped: stats?.skipped ?? 0,
      problems,
    })
  } finally {
    await database?.drop()
  }
}

// Everything the run needs, checked before the first slow step: a newcomer hears what is missing in seconds.
const problems = await prerequisiteProblems({ browser: !flag('--no-e2e') })
if (problems.length > 0) {
  console.error(`\nnpm test cannot run yet:\n\n${problems.map((problem) => `• ${problem.replaceAll('\n', '\n  ')}`).join('\n\n')}\n`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
if (!flag('--no-e2e')) {
  const chromium = findChromium()
  const where = chromium.ok ? (chromium.kind === 'playwright' ? `Playwright's own (${chromium.found})` : chromium.executablePath) : '?'
  console.log(`── browser suite's Chromium: ${where}`)
}

if (!flag('--skip-static')) {
  if (!step('typecheck', 'npx', ['tsc', '--noEmit'])) finish()
  if (!step('lint', 'npx', ['biome', 'check', '.'])) finish()
}

vitest('unit and api suites (Vitest)', [])
const otherNode = option('--node')
if (otherNode) {
  const version = spawnSync(otherNode, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '?'
  vitest(`unit and api suites (Vitest on Node ${version})`, [], { node: otherNode })
}

if (flag('--reuse-build')) {
  if (!existsSync('.next/BUILD_ID') || !existsSync('.api/entry.mjs')) {
    summary.push('build: FAILED (--reuse-build, but there is no .next or .api build)')
    failedSteps++
    finish()
  }
  summary.push('build: reused the existing .next build')
} else if (!step('build', 'npx', ['next', 'build']) || !step('build of the API-only server', 'node', ['scripts/build-api.mjs'])) {
  finish()
}

vitest('real-HTTP suites (Vitest)', ['-c', 'vitest.http.config.ts'])

if (flag('--no-e2e')) {
  summary.push('browser suite: left out (--no-e2e)')
} else {
  await playwright()
}

finish()
