// Property 3: budgets hold across instances. One token hammering the API through HAProxy gets its budget and at most
// the documented overshoot (N API instances × 5%); failed sign-ins are throttled per client address behind the proxy,
// a forged X-Forwarded-For does not escape the throttle (HAProxy appends the real address, TRUST_PROXY=1 takes the
// right-most), and another client address still has its own budget.

import { request } from 'node:http'
import { createRequire } from 'node:module'
import type { Cluster } from '../../scripts/cluster'
import type { Database } from '../../src/server/db/client'
import { findAction } from '../bench/http/action'
import { mintToken, type PropertyResult, signUp, Tally } from './fixtures'

const API_BUDGET = 600
const OVERSHOOT_PER_INSTANCE = 0.05
const SIGN_IN_FAILURES_PER_IP = 50

export async function apiBudget(cluster: Cluster, database: Database, concurrency = 8): Promise<PropertyResult> {
  const person = await signUp(database, cluster)
  const { token } = await mintToken(database, person, 'hammer')
  const apiInstances = cluster.instances.filter((instance) => instance.kind === 'api').length
  const bound = Math.floor(API_BUDGET * (1 + apiInstances * OVERSHOOT_PER_INSTANCE))
  const total = API_BUDGET + 300
  const tally = new Tally()
  let sent = 0
  let admitted = 0
  let limited = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent++
        const response = await tally.send(
          'list',
          `${cluster.url}/api/v1/projects?limit=1`,
          { headers: { Authorization: `Bearer ${token}` } },
          [200, 429],
        )
        if (response?.status === 200) admitted++
        if (response?.status === 429) {
          limited++
          if (!response.headers.get('retry-after')) tally.failures.push('429 without Retry-After')
        }
        await response?.body?.cancel()
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const failures = [...tally.failures]
  if (admitted > bound) failures.push(`admitted ${admitted}, more than the bound ${bound}`)
  if (admitted < API_BUDGET) failures.push(`admitted ${admitted}, less than the budget ${API_BUDGET}`)
  if (seconds >= 60) failures.push(`the run took ${seconds} s, longer than the budget's window: the count proves nothing`)
  return {
    name: 'an API budget across instances',
    holds: failures.length === 0,
    figures: {
      requests: sent,
      admitted,
      limited,
      budget: API_BUDGET,
      overshoot: admitted - API_BUDGET,
      bound: bound - API_BUDGET,
      apiInstances,
      seconds: Math.round(seconds),
    },
    failures: failures.slice(0, 20),
  }
}

// React's client-side encoder, as the browser posts an action's arguments.
const { encodeReply } = createRequire(import.meta.url)('next/dist/compiled/react-server-dom-turbopack/client.node.js') as {
  encodeReply(value: unknown): Promise<string | FormData>
}

/** Posts the sign-in action as a browser does, from `localAddress`, with `headers` added; answers the action's result text. */
async function signInAttempt(
  cluster: Cluster,
  action: { id: string; page: string },
  email: string,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
) {
  const form = new FormData()
  form.append('email', email)
  form.append('password', 'not-the-password')
  const encoded = new Response(await encodeReply([null, form]))
  const body = Buffer.from(await encoded.arrayBuffer())
  const url = new URL(action.page, cluster.url)
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'Next-Action': action.id,
          Accept: 'text/x-component',
          Origin: cluster.url,
          'Content-Type': encoded.headers.get('content-type') ?? 'text/plain',
          'Content-Length': body.length,
          ...headers,
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

export async function signInThrottle(cluster: Cluster): Promise<PropertyResult> {
  const action = findAction('signInAction', 'app/(auth)/sign-in/page', '')
  const failures: string[] = []
  let firstLimited: number | null = null
  const attempts = SIGN_IN_FAILURES_PER_IP + 5
  for (let i = 1; i <= attempts; i++) {
    // A new account each time (the per-account throttle stays out of it) and, every other time, a forged address.
    const forged: Record<string, string> = i % 2 === 0 ? { 'X-Forwarded-For': `203.0.113.${i}` } : {}
    const { status, text } = await signInAttempt(cluster, action, `nobody-${i}-${Date.now()}@example.test`, forged)
    if (status !== 200) failures.push(`attempt ${i}: ${status}`)
    const limited = text.includes('RATE_LIMITED')
    if (limited && firstLimited === null) firstLimited = i
    if (!limited && firstLimited !== null) failures.push(`attempt ${i} was not limited after attempt ${firstLimited} was`)
  }
  // The failure that uses the budget up already answers RATE_LIMITED (services: auth/accounts.ts#signIn).
  if (firstLimited !== SIGN_IN_FAILURES_PER_IP)
    failures.push(`the first limited attempt was ${firstLimited}, not ${SIGN_IN_FAILURES_PER_IP}`)
  // Another client address (loopback has the whole 127/8) is another bucket: the limit was the address's, not everyone's.
  const other = await signInAttempt(cluster, action, `nobody-other-${Date.now()}@example.test`, {}, '127.0.0.2')
  const otherLimited = other.text.includes('RATE_LIMITED')
  if (otherLimited) failures.push('a client from another address was limited too: the throttle is not per client address')
  return {
    name: 'per-IP sign-in throttles behind the proxy',
    holds: failures.length === 0,
    figures: {
      attempts,
      forgedHeaders: Math.floor(attempts / 2),
      perIpBudget: SIGN_IN_FAILURES_PER_IP,
      firstLimitedAttempt: firstLimited,
      otherAddressLimited: otherLimited,
    },
    failures,
  }
}
