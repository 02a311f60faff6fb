// Page weight: the compressed JavaScript a cold browser loads for a page, measured by the shared tool
// (/work/shared/tools/page-weight.cjs, or BENCH_PAGE_WEIGHT_TOOL) with Chromium.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './servers'

export const PAGE_WEIGHT_TOOL = process.env.BENCH_PAGE_WEIGHT_TOOL ?? path.resolve(ROOT, '../shared/tools/page-weight.cjs')

export type PageWeight = { path: string; status: number; kBAtLoad: number; kBAfterIdle: number }

/** kB of script at the `load` event for each path; a page that does not answer 200 is an error. */
export function pageWeights(baseUrl: string, paths: string[], cookie?: string): PageWeight[] {
  if (!existsSync(PAGE_WEIGHT_TOOL)) throw new Error(`page-weight tool not found at ${PAGE_WEIGHT_TOOL} (set BENCH_PAGE_WEIGHT_TOOL)`)
  const args = [PAGE_WEIGHT_TOOL, baseUrl, ...(cookie ? ['--cookie', cookie] : []), ...paths]
  // Run from the repository: the tool resolves playwright-core from its working directory.
  const printed = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  const weights = printed
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [page = '', status, , atLoad, afterIdle] = line.split('\t')
      return { path: page, status: Number(status), kBAtLoad: Number(atLoad), kBAfterIdle: Number(afterIdle) }
    })
  for (const weight of weights) if (weight.status !== 200) throw new Error(`page weight: ${weight.path} answered ${weight.status}`)
  return weights
}
