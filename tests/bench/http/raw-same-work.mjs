// The same-work raw baseline: plain node:http and the same pg driver, doing what our API does in steady state and
// nothing else. Every token is read once at start into a Map keyed by its SHA-256 (ours keeps a cache of the same
// lookup); each request hashes the presented token, finds it in the Map, checks its expiry and scope and counts it
// against a per-token budget in memory (ours counts in memory and writes the counts in batches). GET /api/v1/projects
// then runs one query of the same shape as ours (the same columns, to_char timestamps, order and limit 21, a named
// statement) and answers the same JSON bytes; GET /api/v1/me answers from memory, as ours does for a cached token.
// The bench checks the bytes against the API-only server's before it loads either.
//   PORT=… DATABASE_URL=postgres://… node tests/bench/http/raw-same-work.mjs
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import pg from 'pg'

// Counted as ours counts, but never the limit here: its budget is not what the baseline measures, and a 429 would
// reject the run.
const POINTS = Number.MAX_SAFE_INTEGER
const WINDOW_MS = 60_000
const PAGE = 20
// The app's pool size (src/server/db/client.ts), so neither side wins by holding more connections.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })

const TOKENS = `select t.hash, t.id, t.name, t.workspace_id, t.scopes, t.revoked_at, t.expires_at, m.role, u.id as user_id,
    u.email, u.name as user_name
  from api_tokens t
  join memberships m on m.workspace_id = t.workspace_id and m.user_id = t.user_id
  join "user" u on u.id = t.user_id`
const iso = (column) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const LIST = {
  name: 'raw_projects_first_page',
  text: `select "id", "name", "description", "version", ${iso('"created_at"')} as "createdAt", ${iso('"updated_at"')} as "updatedAt"
    from "projects" where "workspace_id" = $1 order by "created_at" desc, "id" desc limit $2`,
}

const tokens = new Map()
for (const row of (await pool.query(TOKENS)).rows) tokens.set(row.hash, row)
const counts = new Map()

function send(res, status, json) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) })
  res.end(json)
}

/** The token presented, if it is known, live, holds `scope` (if any) and is within its budget; else answers itself. */
function authorize(req, res, scope) {
  const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '')
  const token = tokens.get(createHash('sha256').update(presented).digest('hex'))
  const now = Date.now()
  if (!token || token.revoked_at || (token.expires_at && token.expires_at.getTime() <= now)) {
    send(res, 401, '{"error":"unauthorized"}')
    return undefined
  }
  if (scope && !token.scopes.includes(scope)) {
    send(res, 403, '{"error":"forbidden"}')
    return undefined
  }
  let count = counts.get(token.id)
  if (!count || count.resetAt <= now) {
    count = { points: 0, resetAt: now + WINDOW_MS }
    counts.set(token.id, count)
  }
  if (++count.points > POINTS) {
    send(res, 429, '{"error":"rate limited"}')
    return undefined
  }
  return token
}

async function list(req, res) {
  const token = authorize(req, res, 'projects:read')
  if (!token) return
  const { rows } = await pool.query({ ...LIST, values: [token.workspace_id, PAGE + 1] })
  // 20 projects are seeded: the first page is the last, so nextCursor and next (ours adds the next page's URL) are null.
  const more = rows.length > PAGE
  send(res, 200, JSON.stringify({ items: rows.slice(0, PAGE), nextCursor: more ? 'more' : null, next: more ? 'more' : null }))
}

function me(req, res) {
  const token = authorize(req, res, null)
  if (!token) return
  const body = {
    user: { id: token.user_id, email: token.email, name: token.user_name },
    token: { id: token.id, name: token.name, scopes: token.scopes, expiresAt: token.expires_at?.toISOString() ?? null },
  }
  send(res, 200, JSON.stringify(body))
}

const server = createServer((req, res) => {
  if (req.url === '/health') return send(res, 200, '{"ok":true}')
  if (req.method === 'GET' && req.url === '/api/v1/me') return me(req, res)
  if (req.method === 'GET' && req.url?.startsWith('/api/v1/projects')) {
    return void list(req, res).catch((error) => send(res, 500, JSON.stringify({ error: String(error) })))
  }
  send(res, 404, '{"error":"not found"}')
})
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(JSON.stringify({ message: 'listening', pid: process.pid, tokens: tokens.size })),
)
const stop = () => server.close(() => pool.end().then(() => process.exit(0)))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
