// Plan limits over the public API: the same service check as the app's forms, rendered as 403 problem+json. A
// workspace back on Free keeps reading, changing and deleting its projects over the API; only POST is refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { type ApiHarness, createApi, jsonRequest, userWithToken } from '../support/api'
import { createTestDatabase, domainRows, personalWorkspace } from '../support/db'
import { setSubscriptionStatus } from '../support/plans'
import { expectProblem } from '../support/problem'

let database: Database
let api: ApiHarness
beforeAll(async () => {
  database = await createTestDatabase()
  api = createApi(database)
})
afterAll(() => database.close())

const FREE_PROJECTS = 'The Free plan includes 3 projects per workspace. Upgrade to Pro for unlimited projects.'

async function create(authorization: string, name: string) {
  return api.fetch('/api/v1/projects', jsonRequest('POST', { name }, authorization))
}

describe('POST /api/v1/projects against the plan', () => {
  test('Free: three are 201, the fourth is 403 PLAN_LIMIT problem+json and writes nothing', async () => {
    const caller = await userWithToken(database)
    for (const name of ['A', 'B', 'C']) expect((await create(caller.authorization, name)).status).toBe(201)
    const before = await domainRows(database)
    await expectProblem(await create(caller.authorization, 'D'), 'PLAN_LIMIT', FREE_PROJECTS)
    expect(await domainRows(database)).toEqual(before)
  })

  test('five POSTs at once on an empty Free workspace: three 201, two 403', async () => {
    const caller = await userWithToken(database)
    const statuses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => create(caller.authorization, `Burst ${i}`).then((r) => r.status)),
    )
    expect(statuses.sort()).toEqual([201, 201, 201, 403, 403])
  })

  test('Pro: a fourth is 201; back on Free, all four are listed, patched and deleted, and a new one is 403', async () => {
    const caller = await userWithToken(database)
    const slug = personalWorkspace(caller.userId)
    await setSubscriptionStatus(database, slug, 'active')
    const ids: string[] = []
    for (const name of ['A', 'B', 'C', 'D']) {
      const response = await create(caller.authorization, name)
      expect(response.status).toBe(201)
      ids.push(((await response.json()) as { id: string }).id)
    }
    await setSubscriptionStatus(database, slug, 'canceled')

    const list = await api.fetch('/api/v1/projects', { headers: { Authorization: caller.authorization } })
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(4)
    const [first, second] = ids
    const patched = await api.fetch(`/api/v1/projects/${first}`, jsonRequest('PATCH', { name: 'Renamed' }, caller.authorization))
    expect(patched.status).toBe(200)
    await expectProblem(await create(caller.authorization, 'E'), 'PLAN_LIMIT', FREE_PROJECTS)
    const deleted = await api.fetch(`/api/v1/projects/${second}`, { method: 'DELETE', headers: { Authorization: caller.authorization } })
    expect(deleted.status).toBe(204)
    // Three left: still no room on Free.
    await expectProblem(await create(caller.authorization, 'E'), 'PLAN_LIMIT', FREE_PROJECTS)
  })
})
