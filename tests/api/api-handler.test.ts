// The API-only server's router (src/server/api/handler.ts), in process: which route a path reaches (exact paths by
// name, templated ones by their matcher, with or without a trailing slash), 404 and 405, and JSON answers made
// with srvx's FastResponse that read like any Response.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { apiRouteTable, createApiHandler } from '../../src/server/api/handler'
import type { Database } from '../../src/server/db/client'
import { createRateLimiter } from '../../src/server/http/rate-limit'
import { publicOperations } from '../../src/server/operations/registry'
import type { ApiDeps } from '../../src/server/transports/api-call'
import { captureLogger, type LogLine, ORIGIN, userWithToken } from '../support/api'
import { contextDepsFor, createTestDatabase } from '../support/db'

let database: Database
let handle: (request: Request) => Response | Promise<Response>
let authorization: string
const logs: LogLine[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  const limits = {
    api: createRateLimiter(database.db, { name: 'handler-api', points: 1000, durationSeconds: 60 }),
    anonymous: createRateLimiter(database.db, { name: 'handler-anon', points: 1000, durationSeconds: 60 }),
  }
  const deps: ApiDeps = {
    runtime: async () => ({ context: { ...contextDepsFor(database), appUrl: ORIGIN }, limits }),
    log: captureLogger(logs),
  }
  handle = createApiHandler(apiRouteTable(publicOperations, deps), deps)
  ;({ authorization } = await userWithToken(database))
})
afterAll(() => database.close())

const send = (path: string, init: RequestInit = {}) =>
  handle(new Request(new URL(path, ORIGIN), { ...init, headers: { authorization, ...init.headers } }))

describe('the API-only router', () => {
  test.each(['/api/v1/me', '/api/v1/me/', '/api/v1/projects', '/api/v1/projects/'])('serves %s', async (path) => {
    const response = await send(path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const text = await response.text()
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
    expect(JSON.parse(text)).toBeTypeOf('object')
  })

  test('a templated path reaches its operation with the parameter decoded', async () => {
    const response = await send('/api/v1/projects/00000000-0000-4000-8000-000000000000')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringContaining('Project') })
  })

  test('an unknown path is a 404 problem and a method the path does not serve a 405 with Allow', async () => {
    const unknown = await send('/api/v1/nothing-here')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toBe('application/problem+json')
    const wrong = await send('/api/v1/me', { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toContain('GET')
  })

  test('HEAD is GET without the body', async () => {
    const response = await send('/api/v1/me', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    expect(response.headers.get('ratelimit-limit')).toBe('1000')
  })
})
