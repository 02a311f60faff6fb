// The HTTP bench's output: one table, the targets of issues 13 and 28 checked against baselines from the same run,
// and bench/results/latest.json for the README and for comparing runs.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Run } from './load'

/** What a row answers: the ratios compare rows of the same kind. */
export type Kind = 'list' | 'me' | 'workspace' | 'noop'
export type Row = { endpoint: string; server: string; kind: Kind } & Run
/** `gate`: whether a miss fails the run (exit code 1); the others are reported only. */
export type Check = { target: string; measured: string; met: boolean | null; gate: boolean }

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`

/** req/s against the no-op Next route, and against the same-work raw server answering the same kind of request. */
export function printTable(rows: Row[], noop: Row, sameWork: Partial<Record<Kind, Row>>): void {
  console.table(
    rows.map((row) => {
      const baseline = sameWork[row.kind]
      return {
        endpoint: row.endpoint,
        'req/s': Math.round(row.reqPerSec),
        'p50 ms': row.p50,
        'p99 ms': row.p99,
        'CPU ms/req': row.cpuMsPerRequest.toFixed(2),
        'peak RSS': mb(row.peakRss),
        load: row.loadAverage.toFixed(1),
        'vs no-op': pct(row.reqPerSec / noop.reqPerSec),
        'vs same-work raw': baseline ? pct(row.reqPerSec / baseline.reqPerSec) : '',
      }
    }),
  )
}

export function printChecks(checks: Check[]): void {
  console.table(
    checks.map((c) => ({
      target: c.target,
      measured: c.measured,
      met: c.met === null ? 'not measured' : c.met ? 'yes' : 'MISSED',
      'a miss fails the run': c.gate ? 'yes' : 'no (report only)',
    })),
  )
}

export function machine() {
  const cpus = os.cpus()
  return { cpus: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memory: mb(os.totalmem()), node: process.version, platform: os.platform() }
}

export function writeResults(root: string, results: Record<string, unknown>): string {
  const dir = path.join(root, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'latest.json')
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  return file
}
