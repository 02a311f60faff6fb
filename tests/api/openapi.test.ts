// The published contract: a valid OpenAPI 3.1 document (checked by Redocly's linter), built from the registry,
// and the client types committed in tests/generated are exactly what it generates today.
import { readFileSync } from 'node:fs'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { Document, Spectral } from '@stoplight/spectral-core'
import owaspRuleset from '@stoplight/spectral-owasp-ruleset'
import { Json } from '@stoplight/spectral-parsers'
import { describe, expect, test } from 'vitest'
import { generateApiTypes, TYPES_FILE } from '../../scripts/generate-api-types'
import { publicOperations } from '../../src/server/operations/registry'
import { buildOpenApiDocument, statusesFor } from '../../src/server/transports/openapi'

const document = buildOpenApiDocument()
type OperationObject = { operationId: string; responses: Record<string, unknown>; security?: unknown[] }
const operationAt = (path: string, method: string) =>
  (document.paths[path] as Record<string, OperationObject> | undefined)?.[method.toLowerCase()]

describe('the OpenAPI document', () => {
  test('passes the OpenAPI linter’s recommended rules with no errors', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        'info-license': 'off',
        // The document names the server it is served from; built here without one, it says localhost.
        'no-server-example.com': 'off',
      },
    })
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config })
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([])
  })

  test('passes Spectral’s OWASP API Security ruleset with no errors', async () => {
    const spectral = new Spectral()
    spectral.setRuleset(owaspRuleset)
    // As served in production, where APP_URL is https (the ruleset refuses plain-http servers).
    const served = buildOpenApiDocument(undefined, { serverUrl: 'https://twofold.example' })
    const results = await spectral.run(new Document(JSON.stringify(served, null, 2), Json, 'openapi.json'))
    // Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
    const describe = (r: (typeof results)[number]) => `${r.code} at ${r.path.join('.')}: ${r.message}`
    const warnings = results.filter((r) => r.severity === 1)
    console.info(`Spectral OWASP: ${warnings.length} warnings`, warnings.map(describe))
    expect(results.filter((r) => r.severity === 0).map(describe)).toEqual([])
    // The only warnings left: operations with no input to validate have no 400 or 422 to declare.
    expect([...new Set(warnings.map((r) => r.code))]).toEqual(['owasp:api8:2023-define-error-validation'])
  })

  test('has every public operation once, under its name, secured by the bearer scheme', () => {
    for (const op of publicOperations) {
      if (!op.http) continue
      const described = operationAt(op.http.path, op.http.method)
      expect(described?.operationId, op.name).toBe(op.name)
      expect(described?.security).toEqual([{ bearerAuth: [] }])
    }
    const count = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0)
    expect(count).toBe(publicOperations.filter((op) => op.http).length)
  })

  test('describes each event stream: text/event-stream, Last-Event-ID, the shape of its events', () => {
    const streams = publicOperations.filter((op) => op.http?.answer === 'events')
    expect(streams.length).toBeGreaterThan(0)
    for (const op of streams) {
      const described = operationAt(op.http?.path ?? '', 'GET') as OperationObject & { parameters: { name: string }[] }
      expect(described.operationId).toBe(op.name)
      expect(described.security).toEqual([{ bearerAuth: [] }])
      expect(described.parameters.map((p) => p.name)).toContain('Last-Event-ID')
      expect(described.responses['200']).toMatchObject({
        content: { 'text/event-stream': { 'x-event-data': { $ref: '#/components/schemas/Activity' } } },
      })
    }
  })

  test('lists the statuses each operation can answer', () => {
    const get = publicOperations.find((op) => op.name === 'projects.get')
    const update = publicOperations.find((op) => op.name === 'projects.update')
    if (!get || !update) throw new Error('projects.get and projects.update must be registered')
    expect(statusesFor(get)).toEqual([200, 304, 401, 403, 404, 405, 429, 500, 503])
    expect(statusesFor(update)).toEqual([200, 400, 401, 403, 404, 405, 412, 413, 415, 422, 429, 500, 503])
    for (const op of publicOperations) {
      if (!op.http) continue
      expect(Object.keys(operationAt(op.http.path, op.http.method)?.responses ?? {}).map(Number)).toEqual(statusesFor(op))
    }
  })

  test('says which role each operation needs, in its description and in x-twofold-role; 403 where a role can refuse', () => {
    const roles = Object.fromEntries(publicOperations.map((op) => [op.name, op.role]))
    expect(roles).toMatchObject({ 'projects.create': 'member', 'workspace.get': 'member', 'members.list': 'admin', 'me.get': null })
    for (const op of publicOperations) {
      if (!op.http) continue
      const described = operationAt(op.http.path, op.http.method) as OperationObject & { description: string; 'x-twofold-role': unknown }
      expect(described['x-twofold-role'], op.name).toBe(op.role)
      if (op.role === 'admin') expect(described.description).toContain('Only an admin or owner of the token’s workspace may call it.')
      if (op.role === 'member') expect(described.description).toContain('Any member of the token’s workspace may call it.')
    }
    // members.list may be refused for the scope or for the role; workspace.get by neither (every token's holder is a member).
    expect(operationAt('/api/v1/workspace/members', 'GET')?.responses['403']).toMatchObject({
      description: 'The token lacks the required scope, or its member lacks the role',
    })
    expect(operationAt('/api/v1/workspace', 'GET')?.responses['403']).toBeUndefined()
  })

  test('tags the workspace paths Workspace, a tag it describes', () => {
    expect(document.tags).toContainEqual({ name: 'Workspace', description: expect.stringContaining('workspace') })
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/workspace', '/api/v1/workspace/members']))
    expect(operationAt('/api/v1/workspace/members', 'GET')).toMatchObject({ tags: ['Workspace'] })
  })

  test('the committed client types are generated from the current document (npm run api:types)', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await generateApiTypes())
  })
})
