// server.js, the production entry: methods no route answers, the peer address no client can forge, and a clean stop.
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'

let server: RunningServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.stop()
})

/** fetch() refuses methods such as TRACE, so these go through node:http. */
function send(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('server.js', () => {
  it.each(['TRACE', 'PROPFIND'])('answers %s with 405 problem+json and Allow, not 500', async (method) => {
    const response = await send(method, '/api/v1/projects')
    expect(response.status).toBe(405)
    expect(response.headers['content-type']).toBe('application/problem+json')
    expect(response.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
    expect(JSON.parse(response.body)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' })
  })

  it('overwrites a client-sent peer-address header: forging it picks no rate-limit bucket of its own', async () => {
    // The anonymous API budget is 60 a minute per client address; every request claims another peer address.
    const statuses: number[] = []
    for (let i = 0; i < 61; i++) {
      const response = await fetch(`${server.url}/api/v1/projects`, { headers: { 'X-Twofold-Peer-Address': `198.51.100.${i}` } })
      statuses.push(response.status)
    }
    expect(statuses.slice(0, 60).every((status) => status === 401)).toBe(true)
    expect(statuses[60]).toBe(429)
  })

  it('stops on SIGTERM with exit code 0', async () => {
    const own = await startServer()
    expect((await fetch(`${own.url}/api/v1/openapi.json`)).status).toBe(200)
    expect(await own.stop('SIGTERM')).toBe(0)
    expect(own.output()).toMatch(/"message":"stopped"/)
  })
})
