// Property 4: a token revoked through an app instance (the settings page's server action, posted through HAProxy as a
// browser posts it) is refused by every API-only instance within the documented time. Each sample: a new token, used
// once on each API-only instance so each has it cached, revoked, then asked for on both until they answer 401.
import type { Cluster } from '../../scripts/cluster'
import type { Database } from '../../src/server/db/client'
import { findAction, postAction } from '../bench/http/action'
import { mintToken, type PropertyResult, percentile, signUp } from './fixtures'

/** README, "Running several instances": a revoked token is refused everywhere within this. */
export const REVOCATION_BOUND_MS = 1_000
const GIVE_UP_MS = 10_000

async function refusedAfter(url: string, token: string, since: number): Promise<number> {
  for (;;) {
    const response = await fetch(`${url}/api/v1/projects?limit=1`, { headers: { Authorization: `Bearer ${token}` } })
    await response.body?.cancel()
    const elapsed = performance.now() - since
    if (response.status === 401) return elapsed
    if (response.status !== 200) throw new Error(`answered ${response.status} before the revocation showed`)
    if (elapsed > GIVE_UP_MS) return Number.POSITIVE_INFINITY
  }
}

export async function revocation(cluster: Cluster, database: Database, samples: number): Promise<PropertyResult> {
  const person = await signUp(database, cluster)
  const action = findAction('revokeTokenAction', 'app/w/[slug]/settings/tokens/page', person.slug)
  const api = cluster.instances.filter((instance) => instance.kind === 'api')
  const latencies: number[] = []
  const failures: string[] = []
  for (let i = 0; i < samples; i++) {
    const { token, id } = await mintToken(database, person, `revoked ${i}`)
    for (const instance of api) {
      const warm = await fetch(`${instance.url}/api/v1/projects?limit=1`, { headers: { Authorization: `Bearer ${token}` } })
      await warm.body?.cancel()
      if (warm.status !== 200) failures.push(`${instance.name} answered ${warm.status} to a live token`)
    }
    // confirm=yes is the box the tokens page asks a person to tick before revoking.
    const text = await postAction(cluster.url, action, person.cookie, { workspace: person.slug, id, confirm: 'yes' })
    // Timed from the action's answer: the revocation has committed (and announced itself) by then.
    const answered = performance.now()
    if (!text.includes('"ok":true')) {
      // Nothing was revoked: waiting for a refusal would only spend the token's rate-limit budget.
      failures.push(`the revoke action did not succeed: ${text.slice(0, 200)}`)
      break
    }
    const each = await Promise.all(api.map((instance) => refusedAfter(instance.url, token, answered)))
    latencies.push(...each)
  }
  const p50 = percentile(latencies, 50)
  const p99 = percentile(latencies, 99)
  const max = Math.max(...latencies)
  if (max > REVOCATION_BOUND_MS)
    failures.push(`the slowest refusal came ${Math.round(max)} ms after the revocation (bound ${REVOCATION_BOUND_MS} ms)`)
  return {
    name: 'revocation across instances',
    holds: failures.length === 0,
    figures: {
      samples,
      apiInstances: api.length,
      p50Ms: Number(p50.toFixed(1)),
      p99Ms: Number(p99.toFixed(1)),
      maxMs: Number(max.toFixed(1)),
      boundMs: REVOCATION_BOUND_MS,
    },
    failures,
  }
}
