// One load run: autocannon against one endpoint, in this process. A run with any non-2xx answer, socket error or
// timeout is refused loudly: a 429 or a 500 is fast, and would make a slow server look quick.
import { createRequire } from 'node:module'
import os from 'node:os'
import { type Server, treeCpuMs, treeRss } from './servers'

type Request = { method: string; path: string; headers?: Record<string, string>; body?: string }
type Options = {
  url: string
  connections: number
  duration: number
  requests: { method: string; path: string; setupRequest?: (request: Request) => Request }[]
}
type Histogram = { average: number; p50: number; p99: number }
type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number; '2xx': number }

// autocannon ships no types; this is the part of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Options) => Promise<Result>

export type Target = {
  name: string
  server: Server
  path: string
  /** Sends a different token each request, so no token reaches its per-minute budget. */
  authorizations?: string[]
}

export type Run = {
  reqPerSec: number
  p50: number
  p99: number
  peakRss: number
  requests: number
  /** The server's CPU time per request served, in ms (treeCpuMs). */
  cpuMsPerRequest: number
  /** The machine's 1-minute load average at the end of the run: how busy the host was, the bench included. */
  loadAverage: number
}

/** RSS sampled this often during a run; the peak is kept. */
const RSS_SAMPLE_MS = 250

// Where the round-robin stands, across runs: each run carries on where the last stopped, so over a minute every
// token is used as often as every other (a run starting again at the first would spend the first ones faster).
let next = 0

/** Every run so far, warm-ups included: when, against which server and how many requests (for the token budget). */
export const runLog: { server: Server; start: number; end: number; requests: number }[] = []

export async function load(target: Target, seconds: number, connections = 10): Promise<Run> {
  const tokens = target.authorizations
  const setupRequest = tokens?.length
    ? (request: Request) => {
        next = (next + 1) % tokens.length
        return { ...request, headers: { ...request.headers, authorization: tokens[next] ?? '' } }
      }
    : undefined
  let peakRss = treeRss(target.server.pid)
  const cpuBefore = treeCpuMs(target.server.pid)
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, treeRss(target.server.pid))
  }, RSS_SAMPLE_MS)
  let result: Result
  const start = performance.now()
  try {
    result = await autocannon({
      url: target.server.url,
      connections,
      duration: seconds,
      // Only when set: autocannon takes the presence of the key for a function.
      requests: [setupRequest ? { method: 'GET', path: target.path, setupRequest } : { method: 'GET', path: target.path }],
    })
  } finally {
    clearInterval(sampler)
  }
  const refused = result.non2xx + result.errors + result.timeouts
  if (refused > 0 || result['2xx'] === 0) {
    throw new Error(
      `${target.name}: run rejected: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts ` +
        `of ${result['2xx'] + refused}. Server output (last 2000 characters):\n${target.server.output().slice(-2000)}`,
    )
  }
  const cpuMsPerRequest = (treeCpuMs(target.server.pid) - cpuBefore) / result['2xx']
  runLog.push({ server: target.server, start, end: performance.now(), requests: result['2xx'] })
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    peakRss,
    requests: result['2xx'],
    cpuMsPerRequest,
    loadAverage: os.loadavg()[0] ?? Number.NaN,
  }
}

/**
 * Short runs, thrown away, until the CPU per request settles: two consecutive runs within `tolerance` of each other
 * (the JIT has compiled the path, the pools are full), or `maxRuns`. Returns the CPU per request of each run.
 */
export async function settle(target: Target, seconds: number, connections: number, maxRuns = 6, tolerance = 0.1) {
  const cpu: number[] = []
  for (let i = 0; i < maxRuns; i++) {
    cpu.push((await load(target, seconds, connections)).cpuMsPerRequest)
    const [previous, last] = cpu.slice(-2)
    if (previous !== undefined && last !== undefined && Math.abs(last - previous) < tolerance * previous) {
      return { settled: true, cpu }
    }
  }
  return { settled: false, cpu }
}

/** A few sequential requests: the first requests to a Next route compile nothing but do load its chunks. */
export async function warm(target: Target, count = 50): Promise<void> {
  for (let i = 0; i < count; i++) {
    const authorization = target.authorizations?.[i % target.authorizations.length]
    const response = await fetch(target.server.url + target.path, { headers: authorization ? { authorization } : {} })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${target.name}: warm-up answered ${response.status}`)
  }
}
