// Where the app's memory goes under the list load: starts the app on the bench's database, loads one endpoint for a
// while, and prints the peak RSS of the process tree beside what it held idle. For trying memory settings; the
// figures that count are npm run bench's.
//   DATABASE_URL=postgres://… node --import tsx tests/bench/rss.ts [/api/v1/projects] [seconds]
import '../../scripts/load-env'
import { seed, tokensFor } from './http/database'
import { load, warm } from './http/load'
import { startApp, treeRss } from './http/servers'

const endpoint = process.argv[2] ?? '/api/v1/projects'
const seconds = Number(process.argv[3] ?? 20)
const data = await seed(tokensFor(2000))
const app = await startApp(data.url)
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
try {
  const target = { name: endpoint, server: app, path: endpoint, authorizations: data.authorizations }
  await warm(target)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  console.log(`idle ${mb(treeRss(app.pid))}`)
  for (let i = 1; i <= 3; i++) {
    const run = await load(target, seconds / 3)
    console.log(`run ${i}: ${run.reqPerSec.toFixed(0)} req/s, peak ${mb(run.peakRss)}`)
  }
} finally {
  if (process.env.RSS_PRINT_OUTPUT) console.log(app.output())
  await app.stop()
  await data.drop()
}
