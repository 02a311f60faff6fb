#!/usr/bin/env node
// `npm test`: type check, lint, the Vitest suites (services and adapters), then the browser suite, and a
// closing `N passed, N failed` line. Without Chromium the browser suite is skipped, and says so,
// unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const args = new Set(process.argv.slice(2))
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const reports = mkdtempSync(path.join(tmpdir(), 'twofold-test-'))
const totals = { passed: 0, failed: 0 }
const summary = []

function step(name, command, commandArgs, env = {}) {
  console.log(`\n── ${name}: ${[command, ...commandArgs].join(' ')}`)
  const started = Date.now()
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  summary.push(`${name}: ${result.status === 0 ? 'ok' : 'FAILED'} (${seconds} s)`)
  return result.status ?? 1
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

function count(name, passed, failed, skipped = 0) {
  totals.passed += passed
  totals.failed += failed
  summary.push(`  ${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
}

function finish(code) {
  console.log('\n── summary')
  for (const line of summary) console.log(line)
  console.log(`${totals.passed} passed, ${totals.failed} failed`)
  process.exit(code)
}

// --skip-static: the database-independent checks already ran (CI's second pass, on PostgreSQL).
if (!args.has('--skip-static')) {
  if (step('typecheck', 'npx', ['tsc', '--noEmit']) !== 0) finish(1)
  if (step('lint', 'npx', ['biome', 'check', '.']) !== 0) finish(1)
}

const vitestReport = path.join(reports, 'vitest.json')
const vitestCode = step('unit and api suites (Vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
])
const vitest = readJson(vitestReport)
if (vitest) count('vitest', vitest.numPassedTests, vitest.numFailedTests, vitest.numPendingTests + vitest.numTodoTests)
if (vitestCode !== 0) finish(vitestCode)

if (args.has('--no-e2e')) {
  summary.push('browser suite: skipped (--no-e2e)')
} else if (!existsSync(chromium)) {
  const message = `Chromium not found at ${chromium}: skipping the browser suite (apt-get install chromium to run it).`
  console.log(`\n${message}`)
  if (process.env.REQUIRE_BROWSER === '1') {
    summary.push(`browser suite: FAILED (${message}; REQUIRE_BROWSER=1)`)
    finish(1)
  }
  summary.push('browser suite: skipped (no Chromium)')
} else {
  const playwrightReport = path.join(reports, 'playwright.json')
  const code = step('browser suite (Playwright)', 'npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
  })
  const stats = readJson(playwrightReport)?.stats
  if (stats) count('playwright', stats.expected + stats.flaky, stats.unexpected, stats.skipped)
  if (code !== 0) finish(code)
}

finish(0)
