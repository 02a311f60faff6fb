// `npm run cluster:test`: the scale-out properties (issue 27) against the topology of `npm run cluster` — HAProxy, two
// app and two API-only instances, PgBouncer in transaction mode, S3 — each bounded in requests and time, on
// loopback. Writes its figures to tests/cluster/results.json (full run) or prints them (smoke), exits 1 if a
// property does not hold.
//
//   npm run build && npm run cluster:test               the measured run (several minutes)
//   npm run cluster:test -- --smoke                     a short one for CI (no build, no install: both must exist)
//   CLUSTER_ONLY=rolling,budgets npm run cluster:test   some of the properties
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { startStripeStandIn } from '../src/dev/stripe/standin'
import { apiBudget, signInThrottle } from '../tests/cluster/budgets'
import { CLUSTER_AUTH_SECRET, openClusterDatabase, type PropertyResult } from '../tests/cluster/fixtures'
import { revocation } from '../tests/cluster/revocation'
import { rollingRestart } from '../tests/cluster/rolling-restart'
import { startSlowSink } from '../tests/cluster/smtp-sink'
import { throughput } from '../tests/cluster/throughput'
import { mailOnce, stripeOnce } from '../tests/cluster/work-once'
import { type Cluster, startCluster } from './cluster'

const smoke = process.argv.includes('--smoke') || process.env.CLUSTER_SMOKE === '1'
const only = process.env.CLUSTER_ONLY?.split(',')
const wanted = (name: string) => !only || only.includes(name)

const base = Number(process.env.CLUSTER_PORT_BASE ?? 18000)
const STRIPE = { secretKey: 'sk_test_cluster', webhookSecret: 'whsec_cluster' }

const began = performance.now()
// Outside the cluster, as they are outside a deployment: the mail provider (slow, so a batch can be killed in
// flight) and Stripe.
const sink = await startSlowSink(base + 25, 1_500)
const standIn = await startStripeStandIn({ port: base + 111, host: '127.0.0.1' })
const cluster: Cluster = await startCluster({
  portBase: base,
  env: {
    BETTER_AUTH_SECRET: CLUSTER_AUTH_SECRET,
    SMTP_URL: sink.url,
    STRIPE_SECRET_KEY: STRIPE.secretKey,
    STRIPE_WEBHOOK_SECRET: STRIPE.webhookSecret,
    STRIPE_PRICE_PRO: 'price_pro',
    STRIPE_API_URL: standIn.url,
    // A production build refuses the stand-in without this opt-in, which only test suites give.
    STRIPE_STANDIN_IN_PRODUCTION: 'true',
    // Only to show what the pool mode is for: session here, through PgBouncer in transaction mode, breaks requests.
    ...(process.env.CLUSTER_POOL_MODE ? { DATABASE_POOL_MODE: process.env.CLUSTER_POOL_MODE } : {}),
  },
  // Three instances run the workers (property 5); the fourth runs none.
  workers: { app1: 'all', app2: 'all', api1: 'all', api2: 'none' },
  drainMs: process.env.CLUSTER_DRAIN_MS === undefined ? undefined : Number(process.env.CLUSTER_DRAIN_MS),
})
const database = await openClusterDatabase(cluster)
const results: PropertyResult[] = []
const startedIn = Math.round((performance.now() - began) / 1000)
console.log(`cluster up in ${startedIn} s on ${cluster.url}`)
try {
  if (wanted('rolling')) {
    results.push(
      await rollingRestart(cluster, database, {
        order: smoke ? ['api1', 'app1'] : ['api1', 'api2', 'app1', 'app2'],
        writers: smoke ? 2 : 3,
        readers: 2,
        maxIterations: smoke ? 60 : 400,
        paceMs: 50,
      }),
    )
  }
  if (wanted('budgets')) {
    results.push(await apiBudget(cluster, database))
    results.push(await signInThrottle(cluster))
  }
  if (wanted('revocation')) results.push(await revocation(cluster, database, smoke ? 5 : 30))
  if (wanted('throughput') && !smoke) results.push(await throughput(cluster, database, 10, cluster.admin))
  if (wanted('once')) {
    const once = { mails: smoke ? 20 : 200, events: smoke ? 20 : 200, kill: !smoke, sinkPort: base + 25 }
    // Two victims: the API-only worker instance while it sends mail, the app instance the webhook nudges while it applies.
    const [mail, stripe] = await Promise.all([
      mailOnce(cluster, database, sink, { ...once, victim: 'api1' }),
      stripeOnce(cluster, database, standIn, STRIPE, { ...once, victim: 'app1' }),
    ])
    results.push(mail, stripe)
  }
} finally {
  await database.close()
  await cluster.stop()
  await standIn.close()
  await sink.stop()
}

const seconds = Math.round((performance.now() - began) / 1000)
for (const result of results) {
  console.log(`\n${result.holds ? 'HOLDS' : 'BROKEN'}  ${result.name}`)
  console.log(JSON.stringify(result.figures, null, 2))
  for (const failure of result.failures) console.log(`  - ${failure}`)
}
console.log(`\n${smoke ? 'smoke' : 'full'} run: ${seconds} s in all (cluster start ${startedIn} s)`)
if (!smoke && !only) {
  const file = path.join(import.meta.dirname, '../tests/cluster/results.json')
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), seconds, results }, null, 2)}\n`)
  console.log(`written to ${path.relative(process.cwd(), file)}`)
}
if (results.some((result) => !result.holds)) process.exitCode = 1
