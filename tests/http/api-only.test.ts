import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as projects from '../../src/server/services/projects'
import { bearerTokenFor } from '../support/api'
import { contextFor, createUser, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'
import { type RunningServer, startServer, suiteDatabase } from '../support/server'

// One database for both servers, one after the other: a file-backed PGlite (the servers are separate processes),
// or a fresh PostgreSQL database on PostgreSQL runs.
let env: Record<string, string | undefined>
let cleanup: () => Promise<void>
let authorization: string

beforeAll(async () => {
  const place = await suiteDatabase('api-only')
  env = place.env
  cleanup = place.drop
  const database = await place.open()
  try {
    const userId = await createUser(database, 'API Only')
    // Pro: three seeded here and one more POSTed through each entry, beyond Free's three.
    await makePro(database, personalWorkspace(userId))
    for (const name of ['One', 'Two', 'Three']) await projects.create(contextFor(database, sessionActor(userId)), { name })
    ;({ authorization } = await bearerTokenFor(database, userId))
  } finally {
    await database.close()
  }
})
afterAll(async () => cleanup?.())

/** fetch() refuses methods such as TRACE, so this goes through node:http. */
function statusOf(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.each(['server.js', 'api-server.js'] as const)('the public API through %s', (entry) => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ entry, env })
  })
  afterAll(async () => {
    // A clean stop (exit 0) is part of the contract: the second server opens the same files after this one.
    expect(await server?.stop()).toBe(0)
  })
  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${server.url}${pathname}`, { ...init, headers: { Authorization: authorization, ...init.headers } })

  it('lists, creates and reads projects with a token, with the same headers', async () => {
    const list = await api('/api/v1/projects?limit=2')
    expect(list.status).toBe(200)
    const page = await list.json()
    expect(page.items).toHaveLength(2)
    expect(list.headers.get('link')).toMatch(new RegExp(`^<${server.url}/api/v1/projects\\?limit=2&cursor=`))
    expect(list.headers.get('ratelimit-limit')).toBe('600')

    const created = await api('/api/v1/projects', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Through ${entry}` }),
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location') ?? ''
    expect(location.startsWith(`${server.url}/api/v1/projects/`)).toBe(true)
    const read = await api(new URL(location).pathname)
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe('"v1"')
    const newest = await (await api('/api/v1/projects?limit=1')).json()
    expect(newest.items[0].name).toBe(`Through ${entry}`)
  })

  it('answers JSON with its type, and its length where the server keeps it', async () => {
    const me = await api('/api/v1/me')
    const text = await me.text()
    expect(me.headers.get('content-type')).toBe('application/json')
    expect(JSON.parse(text)).toHaveProperty('user')
    // Next drops a route's Content-Length (src/server/http/json-response.ts); the API-only server sends it.
    if (entry === 'api-server.js') expect(me.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
  })

  it('answers the workspace with the caller’s role, and 401 without a token', async () => {
    const workspace = await api('/api/v1/workspace')
    expect(workspace.status).toBe(200)
    expect(await workspace.json()).toMatchObject({ name: 'API Only', role: 'owner' })
    const anonymous = await fetch(`${server.url}/api/v1/projects`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json')
  })

  it('answers HEAD without a body, the CORS preflight, and 405 for methods no route serves', async () => {
    const head = await api('/api/v1/projects', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const preflight = await fetch(`${server.url}/api/v1/projects`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://mobile.example', 'Access-Control-Request-Method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    const wrongMethod = await api('/api/v1/projects', { method: 'PUT' })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toContain('GET')
    expect(await statusOf(`${server.url}/api/v1/projects`, 'TRACE')).toBe(405)
  })

  it('serves the OpenAPI document and the health checks', async () => {
    const document = await fetch(`${server.url}/api/v1/openapi.json`)
    expect(document.status).toBe(200)
    expect((await document.json()).paths).toHaveProperty('/api/v1/projects')
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(200)
  })
})

describe('the API-only server', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ entry: 'api-server.js', env })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('serves nothing but the API: any other path is a 404 problem', async () => {
    for (const pathname of ['/', '/sign-in', '/api/v1/nope', '/api/auth/get-session']) {
      const response = await fetch(`${server.url}${pathname}`)
      expect(response.status, pathname).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
    }
  })
})
