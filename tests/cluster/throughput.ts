// A figure, not a property: list requests per second through HAProxy with two API-only instances, then with one
// (the other taken out at HAProxy's admin socket). On a 2-core host that runs both instances, HAProxy, PgBouncer and
// PostgreSQL, a second instance cannot add cores: the ratio shows what the extra hop and process cost, not scaling.
import { createRequire } from 'node:module'
import type { Cluster } from '../../scripts/cluster'
import type { Database } from '../../src/server/db/client'
import { mintToken, type PropertyResult, signUp } from './fixtures'

type Request = { method: string; path: string; headers?: Record<string, string> }
type Options = {
  url: string
  connections: number
  duration: number
  requests: { method: string; path: string; setupRequest: (request: Request) => Request }[]
}
type Result = { requests: { average: number }; latency: { p99: number }; non2xx: number; errors: number }
// autocannon ships no types; this is the part of its programmatic API used here (as in tests/bench/http/load.ts).
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Options) => Promise<Result>

async function measure(url: string, tokens: string[], seconds: number) {
  let next = 0
  const result = await autocannon({
    url,
    connections: 10,
    duration: seconds,
    // Tokens in turn: one token's budget (600 a minute) would turn the measurement into 429s.
    requests: [
      {
        method: 'GET',
        path: '/api/v1/projects?limit=20',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
        }),
      },
    ],
  })
  return { requestsPerSecond: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors }
}

export async function throughput(
  cluster: Cluster,
  database: Database,
  seconds: number,
  adminCommand: (command: string) => Promise<unknown>,
): Promise<PropertyResult> {
  // About 2,500 requests a second for 22 s at most, and a token may make 600 a minute: 200 tokens (50 per person).
  const tokens: string[] = []
  for (let p = 0; p < 4; p++) {
    const person = await signUp(database, cluster)
    for (let i = 0; i < 50; i++) tokens.push((await mintToken(database, person, `load ${i}`)).token)
  }
  await measure(cluster.url, tokens, 2)
  const two = await measure(cluster.url, tokens, seconds)
  await adminCommand('disable server api/api2')
  await cluster.waitForState('api2', 'MAINT')
  const one = await measure(cluster.url, tokens, seconds)
  await adminCommand('enable server api/api2')
  await cluster.waitForState('api2', 'UP')
  const failures: string[] = []
  for (const [label, run] of [
    ['two', two],
    ['one', one],
  ] as const) {
    if (run.non2xx || run.errors) failures.push(`${label} instance(s): ${run.non2xx} non-2xx, ${run.errors} errors`)
  }
  return {
    name: 'throughput through HAProxy, 1 vs 2 API-only instances (overhead on 2 cores, not scaling)',
    holds: failures.length === 0,
    figures: {
      seconds,
      connections: 10,
      twoInstances: two,
      oneInstance: one,
      ratio: Number((two.requestsPerSecond / one.requestsPerSecond).toFixed(2)),
    },
    failures,
  }
}
