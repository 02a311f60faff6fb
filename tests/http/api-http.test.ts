// The public API's HTTP semantics that only a real server shows: HEAD through Next's router, the CORS preflight
// a browser sends, CORS headers on answers that come before any operation runs, and compression only where it pays.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'

let server: RunningServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.stop()
})

describe('the API over HTTP', () => {
  it('answers HEAD like GET, without a body', async () => {
    const [head, get] = await Promise.all([
      fetch(`${server.url}/api/v1/projects`, { method: 'HEAD' }),
      fetch(`${server.url}/api/v1/projects`),
    ])
    expect(head.status).toBe(401)
    expect(get.status).toBe(401)
    expect(head.headers.get('www-authenticate')).toBe(get.headers.get('www-authenticate'))
    expect(head.headers.get('content-type')).toBe('application/problem+json')
    expect(await head.text()).toBe('')
  })

  it('answers a browser preflight from another origin with the methods and headers it allows', async () => {
    const response = await fetch(`${server.url}/api/v1/projects/0b7e4ea2-8a63-4c38-9d5b-1e2f3a4b5c6d`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://mobile.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization, content-type, if-match',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH')
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, If-Match, If-None-Match, Last-Event-ID, X-Request-Id',
    )
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('lets a script on another origin read the problem of a refused call, but never with cookies', async () => {
    const response = await fetch(`${server.url}/api/v1/me`, { headers: { Origin: 'https://mobile.example' } })
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-expose-headers')).toContain('X-Request-Id')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('does not compress a small JSON answer for a client that accepts gzip or brotli (the CPU and memory buy nothing); a large one it does', async () => {
    const small = await get('/api/v1/me', { 'Accept-Encoding': 'gzip, deflate, br' })
    expect(small.status).toBe(401)
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(small.headers['cache-control']).toContain('no-transform')
    expect(JSON.parse(small.body.toString('utf8'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })

    // Brotli (at the middleware's quality 4) where the client accepts it, else gzip; either way the same bytes.
    const brotli = await get('/api/v1/openapi.json', { 'Accept-Encoding': 'gzip, deflate, br' })
    expect(brotli.status).toBe(200)
    expect(brotli.headers['content-encoding']).toBe('br')
    expect(brotli.headers.vary).toContain('Accept-Encoding')
    const gzip = await get('/api/v1/openapi.json', { 'Accept-Encoding': 'gzip' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(brotliDecompressSync(brotli.body).equals(gunzipSync(gzip.body))).toBe(true)
    expect(JSON.parse(gunzipSync(gzip.body).toString('utf8'))).toMatchObject({ openapi: expect.any(String) })
  })

  it('sends a client that accepts no encoding the bytes as they are, still saying they vary by Accept-Encoding', async () => {
    const large = await get('/api/v1/openapi.json', {})
    expect(large.status).toBe(200)
    expect(large.headers['content-encoding']).toBeUndefined()
    expect(large.headers.vary).toContain('Accept-Encoding')
    expect(JSON.parse(large.body.toString('utf8'))).toMatchObject({ openapi: expect.any(String) })
  })
})

/** A GET through node:http, not fetch: fetch asks for gzip and decompresses, and what is checked is the bytes on the wire. */
function get(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}
