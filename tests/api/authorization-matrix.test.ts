// The authorization matrix, generated from the operation registry: for every public operation, no token is a
// 401, a token without the operation's scope is a 403, and another user's object is a 404 — and none of them
// writes anything. A new operation is covered the moment it is registered. Request bodies are generated from
// each operation's own input schema, so a new resource needs no hand-written sample either.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import type { Database } from '../../src/server/db/client'
import { pathParams } from '../../src/server/operations/openapi'
import type { Operation } from '../../src/server/operations/operation'
import { publicOperations } from '../../src/server/operations/registry'
import { SCOPES } from '../../src/server/services/context'
import { type ApiHarness, bearerTokenFor, createApi, jsonRequest, userWithToken } from '../support/api'
import { createTestDatabase, domainRows } from '../support/db'

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  items?: JsonSchema
  minLength?: number
  minimum?: number
  anyOf?: JsonSchema[]
}

/** The smallest valid value for a JSON Schema, enough for a request the schema accepts. */
function sampleFor(schema: JsonSchema): unknown {
  if (schema.enum) return schema.enum[0]
  if (schema.anyOf?.[0]) return sampleFor(schema.anyOf[0])
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string':
      return 's'.repeat(Math.max(1, schema.minLength ?? 1))
    case 'integer':
    case 'number':
      return schema.minimum ?? 1
    case 'boolean':
      return true
    case 'array':
      return schema.items ? [sampleFor(schema.items)] : []
    default: {
      const body: Record<string, unknown> = {}
      for (const key of schema.required ?? []) body[key] = sampleFor(schema.properties?.[key] ?? {})
      return body
    }
  }
}

const paramsOf = (op: Operation) => pathParams(op.http?.path ?? '')
const served = publicOperations.filter((op) => op.http)

/** A valid request for `op` on the object `id` (if its path names one). */
function requestFor(op: Operation, id: string | null, authorization?: string): { path: string; init: RequestInit } {
  const http = op.http
  if (!http) throw new Error(`${op.name} is not served over HTTP`)
  const path = http.path.replace(/\{\w+\}/g, () => id ?? '')
  if (http.method === 'GET' || http.method === 'DELETE') {
    const headers: Record<string, string> = authorization ? { Authorization: authorization } : {}
    return { path, init: { method: http.method, headers } }
  }
  const body = sampleFor(z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema) as Record<string, unknown>
  for (const param of paramsOf(op)) delete body[param]
  return { path, init: jsonRequest(http.method, body, authorization) }
}

/** The operation that creates the objects a path like /api/v1/things/{id} names: POST /api/v1/things → 201. */
function creatorOf(op: Operation): Operation | undefined {
  const collection = op.http?.path.replace(/\/\{\w+\}$/, '')
  return served.find(
    (candidate) => candidate.http?.method === 'POST' && candidate.http.status === 201 && candidate.http.path === collection,
  )
}

let database: Database
let api: ApiHarness

const snapshot = () => domainRows(database)

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
})
afterAll(() => database.close())

describe('the registry', () => {
  test('has public operations, and every one that names an object has a way to create one', () => {
    expect(served.length).toBeGreaterThanOrEqual(6)
    for (const op of served.filter((o) => paramsOf(o).length > 0)) expect(creatorOf(op), `${op.name}: no creating operation`).toBeDefined()
  })
})

describe.each(served.map((op) => [op.name, op] as const))('%s', (_name, op) => {
  test('without a token: 401, nothing written', async () => {
    const owner = await userWithToken(database)
    const target = await ownedObject(op, owner.authorization)
    const before = await snapshot()
    const { path, init } = requestFor(op, target)
    const response = await api.fetch(path, init)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await snapshot()).toEqual(before)
  })

  // Only where the cell applies: an operation any token may call has no 403, one that names no object no 404.
  if (op.scope !== null)
    test('with a token lacking its scope: 403, nothing written', async () => {
      const otherScopes = SCOPES.filter((scope) => scope !== op.scope)
      expect(otherScopes.length).toBeGreaterThan(0)
      const owner = await userWithToken(database, otherScopes)
      // The object is the caller's own (made with another, full token of theirs): the scope, not ownership, refuses.
      const target = await ownedObject(op, (await bearerTokenFor(database, owner.userId)).authorization)
      const before = await snapshot()
      const { path, init } = requestFor(op, target, owner.authorization)
      const response = await api.fetch(path, init)
      expect(response.status).toBe(403)
      expect((await response.json()).detail).toBe(`This token lacks the ${op.scope} scope.`)
      expect(await snapshot()).toEqual(before)
    })

  if (paramsOf(op).length > 0)
    test('on another user’s object: 404, never 403, nothing written', async () => {
      const owner = await userWithToken(database)
      const intruder = await userWithToken(database)
      const target = await ownedObject(op, owner.authorization)
      const before = await snapshot()
      const { path, init } = requestFor(op, target, intruder.authorization)
      const response = await api.fetch(path, init)
      expect(response.status).toBe(404)
      expect(await snapshot()).toEqual(before)
      // The owner still has it, unchanged.
      const { path: ownerPath, init: ownerInit } = requestFor(op, target, owner.authorization)
      if (op.http?.method === 'GET') expect((await api.fetch(ownerPath, ownerInit)).status).toBe(200)
    })
})

/** An object `op` can act on, created through the public API by its creating operation; null if `op` names none. */
async function ownedObject(op: Operation, authorization: string): Promise<string | null> {
  if (paramsOf(op).length === 0) return null
  const creator = creatorOf(op)
  if (!creator) throw new Error(`${op.name}: no creating operation`)
  const { path, init } = requestFor(creator, null, authorization)
  const response = await api.fetch(path, init)
  expect(response.status).toBe(201)
  return ((await response.json()) as { id: string }).id
}
