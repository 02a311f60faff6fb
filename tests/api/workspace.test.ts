// The workspace over the public API: GET /api/v1/workspace (the token's workspace and the caller's role in it) and
// GET /api/v1/workspace/members (admins, with the members:read scope), through the real route files.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { memberships, user, workspaces } from '../../src/server/db/schema'
import { needsRole } from '../../src/server/services/access'
import type { Role, Scope } from '../../src/server/services/context'
import { type ApiHarness, bearerTokenFor, createApi } from '../support/api'
import { createTestDatabase, createUser, personalWorkspace } from '../support/db'
import { expectProblem } from '../support/problem'

let database: Database
let api: ApiHarness
let ownerId: string
let workspace: { id: string; name: string; slug: string; createdAt: Date }
const people: Partial<Record<Role, string>> = {}

beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
  ownerId = await createUser(database, 'Olga Owner')
  const [row] = await database.db
    .select()
    .from(workspaces)
    .where(eq(workspaces.slug, personalWorkspace(ownerId)))
  if (!row) throw new Error('createUser made no personal workspace')
  workspace = row
  people.owner = ownerId
  for (const role of ['admin', 'member'] as const) {
    const userId = await createUser(database, role === 'admin' ? 'Ada Admin' : 'Max Member')
    await database.db.insert(memberships).values({ workspaceId: workspace.id, userId, role })
    people[role] = userId
  }
})
afterAll(() => database.close())

/** The Authorization header of a new token `role`'s person makes in the workspace. */
async function tokenOf(role: Role, scopes?: readonly Scope[]) {
  const userId = people[role]
  if (!userId) throw new Error(`nobody is ${role}`)
  return (await bearerTokenFor(database, userId, scopes, workspace.slug)).authorization
}

const get = (path: string, authorization: string) => api.fetch(path, { headers: { Authorization: authorization } })

describe('GET /api/v1/workspace', () => {
  test.each(['owner', 'admin', 'member'] as const)('answers the token’s workspace and the role of %s', async (role) => {
    const response = await get('/api/v1/workspace', await tokenOf(role, ['projects:read']))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('x-request-id')).toBeTruthy()
    expect(response.headers.get('ratelimit-limit')).toBe(String(api.limits.api.points))
    expect(await response.json()).toEqual({
      id: workspace.id,
      name: workspace.name,
      slug: workspace.slug,
      role,
      createdAt: workspace.createdAt.toISOString(),
    })
  })

  test('a token made in another workspace answers for that one, though the same person made both', async () => {
    const adminId = people.admin ?? ''
    const own = await get('/api/v1/workspace', (await bearerTokenFor(database, adminId)).authorization)
    expect(await own.json()).toMatchObject({ slug: personalWorkspace(adminId), role: 'owner' })
  })

  test('without a token: 401', async () => {
    const response = await api.fetch('/api/v1/workspace')
    await expectProblem(response, 'UNAUTHENTICATED', 'Send a valid API token: Authorization: Bearer tf_…')
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })
})

describe('GET /api/v1/workspace/members', () => {
  test('an admin’s token with members:read: everyone, owners first, with no more than the member fields', async () => {
    const response = await get('/api/v1/workspace/members', await tokenOf('admin', ['members:read']))
    expect(response.status).toBe(200)
    const emails = await database.db.select({ id: user.id, email: user.email }).from(user)
    const emailOf = (id: string | undefined) => emails.find((row) => row.id === id)?.email
    const body = (await response.json()) as { items: Record<string, unknown>[] }
    expect(body.items.map(({ joinedAt: _, ...rest }) => rest)).toEqual([
      { userId: people.owner, name: 'Olga Owner', email: emailOf(people.owner), role: 'owner' },
      { userId: people.admin, name: 'Ada Admin', email: emailOf(people.admin), role: 'admin' },
      { userId: people.member, name: 'Max Member', email: emailOf(people.member), role: 'member' },
    ])
    for (const item of body.items) expect(item.joinedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  test('an owner’s token may list them too', async () => {
    const response = await get('/api/v1/workspace/members', await tokenOf('owner', ['members:read']))
    expect(response.status).toBe(200)
  })

  test('a member’s token, even with members:read: 403, the role is what refuses', async () => {
    await expectProblem(
      await get('/api/v1/workspace/members', await tokenOf('member', ['members:read'])),
      'FORBIDDEN',
      needsRole('admin').message,
    )
  })

  test('an admin’s token without members:read: 403, the scope is what refuses', async () => {
    await expectProblem(
      await get('/api/v1/workspace/members', await tokenOf('admin', ['projects:read', 'projects:write'])),
      'FORBIDDEN',
      'This token lacks the members:read scope.',
    )
  })
})

describe.each(['/api/v1/workspace', '/api/v1/workspace/members'])('%s over HTTP', (path) => {
  test.each(['POST', 'PUT', 'PATCH', 'DELETE'])('%s: 405 with Allow', async (method) => {
    const response = await api.fetch(path, {
      method,
      body: method === 'DELETE' ? undefined : '{}',
      headers: { Authorization: await tokenOf('owner'), 'Content-Type': 'application/json' },
    })
    await expectProblem(response, 'METHOD_NOT_ALLOWED', 'Use one of: GET, OPTIONS, HEAD.')
    expect(response.headers.get('allow')).toBe('GET, OPTIONS, HEAD')
  })

  test('OPTIONS: a CORS preflight for any origin, GET only', async () => {
    const response = await api.fetch(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('allow')).toBe('GET, OPTIONS, HEAD')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS, HEAD')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  test('answers any origin, success or problem', async () => {
    const origin = { Origin: 'https://elsewhere.example' }
    const answers = [
      await api.fetch(path, { headers: { ...origin, Authorization: await tokenOf('owner') } }),
      await api.fetch(path, { headers: origin }),
    ]
    expect(answers.map((r) => r.status)).toEqual([200, 401])
    for (const response of answers) expect(response.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('HEAD: like GET, without the body', async () => {
    const response = await api.fetch(path, { method: 'HEAD', headers: { Authorization: await tokenOf('owner') } })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })
})
