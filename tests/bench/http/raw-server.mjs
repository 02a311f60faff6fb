// The raw baseline doing MORE work than ours in steady state (the same-work one is raw-same-work.mjs): plain
// node:http and the same pg driver, with three round trips a request where ours, its token and its count cached,
// has one — the token looked up by its SHA-256 joined with the membership, the rate-limit upsert as
// rate-limiter-flexible's Drizzle store writes it, the newest 20 projects (+1, to know if there is a next page).
// Kept as a second reference: it is what ours did before the caches, with nothing around it.
//   PORT=… DATABASE_URL=postgres://… node tests/bench/http/raw-server.mjs
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import pg from 'pg'

const POINTS = 600
const WINDOW_MS = 60_000
// The app's pool size (src/server/db/client.ts), so neither side wins by holding more connections.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })

const TOKEN = `select t.id, t.workspace_id, t.user_id, t.scopes, t.revoked_at, t.expires_at, m.role
  from api_tokens t join memberships m on m.workspace_id = t.workspace_id and m.user_id = t.user_id
  where t.hash = $1`
const COUNT = `insert into rate_limits (key, points, expire) values ($1, 1, $2)
  on conflict (key) do update set
    points = case when rate_limits.expire <= $3 then 1 else rate_limits.points + 1 end,
    expire = case when rate_limits.expire <= $3 then $2 else rate_limits.expire end
  returning points, expire`
const LIST = `select id, name, description, version, created_at, updated_at from projects
  where workspace_id = $1 order by created_at desc, id desc limit 21`

function send(res, status, body) {
  const json = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) })
  res.end(json)
}

async function list(req, res) {
  const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '')
  const hash = createHash('sha256').update(presented).digest('hex')
  const { rows: found } = await pool.query(TOKEN, [hash])
  const token = found[0]
  const now = new Date()
  if (!token || token.revoked_at || (token.expires_at && token.expires_at <= now)) return send(res, 401, { error: 'unauthorized' })
  // Its own key prefix: the raw server's counts never eat into the app's budget for the same token.
  const { rows: counted } = await pool.query(COUNT, [`raw-api:${token.id}`, new Date(now.getTime() + WINDOW_MS), now])
  if (counted[0].points > POINTS) return send(res, 429, { error: 'rate limited' })
  const { rows } = await pool.query(LIST, [token.workspace_id])
  const items = rows.slice(0, 20).map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }))
  send(res, 200, { items, nextCursor: rows.length > 20 ? 'more' : null })
}

const server = createServer((req, res) => {
  if (req.url === '/health') return send(res, 200, { ok: true })
  if (req.method === 'GET' && req.url?.startsWith('/projects')) {
    return void list(req, res).catch((error) => send(res, 500, { error: String(error) }))
  }
  send(res, 404, { error: 'not found' })
})
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ message: 'listening', pid: process.pid })))
const stop = () => server.close(() => pool.end().then(() => process.exit(0)))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
