// The authorization matrix, generated from the operation registry: for every public operation, no token is a
// 401, a token without the operation's scope is a 403, a token of a member whose role is below the operation's is
// a 403, and another workspace's object is a 404 — and none of them writes anything. A member's token answers to
// their role as it is now: removed is 401, demoted is refused on the next request. A new operation is covered the
// moment it is registered. Request bodies are generated from each operation's own input schema, so a new resource
// needs no hand-written sample either.
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { memberships, workspaces } from '../../src/server/db/schema'
import type { Operation } from '../../src/server/operations/operation'
import { publicOperations } from '../../src/server/operations/registry'
import { needsRole } from '../../src/server/services/access'
import { ROLES, type Role, roleAtLeast, SCOPES } from '../../src/server/services/context'
import * as members from '../../src/server/services/members'
import { pathParams } from '../../src/server/transports/openapi'
import { type ApiHarness, bearerTokenFor, createApi, jsonRequest, userWithToken } from '../support/api'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'
import { uploadInit } from '../support/files'
import { expectProblem } from '../support/problem'
import { sampleInput } from '../support/samples'

const A_ROLE: Record<Role, string> = { owner: 'an owner', admin: 'an admin', member: 'a member' }

const paramsOf = (op: Operation) => pathParams(op.http?.path ?? '')
const served = publicOperations.filter((op) => op.http)

/** A valid request for `op` on the object `ids` name (the ids of its path's parameters, in order). */
function requestFor(op: Operation, ids: readonly string[] | null, authorization?: string): { path: string; init: RequestInit } {
  const http = op.http
  if (!http) throw new Error(`${op.name} is not served over HTTP`)
  let next = 0
  const path = http.path.replace(/\{\w+\}/g, () => ids?.[next++] ?? '')
  // An upload is multipart, not JSON: a small text file.
  if (http.body === 'multipart') return { path, init: uploadInit('sample text', 'sample.txt', authorization) }
  if (http.method === 'GET' || http.method === 'DELETE') {
    const headers: Record<string, string> = authorization ? { Authorization: authorization } : {}
    return { path, init: { method: http.method, headers } }
  }
  const body = sampleInput(op)
  for (const param of paramsOf(op)) delete body[param]
  return { path, init: jsonRequest(http.method, body, authorization) }
}

/**
 * The operation that creates the objects a path like /api/v1/things/{id} (or /api/v1/things/{id}/parts, whose last
 * named object is the thing) names: POST /api/v1/things → 201.
 */
function creatorOf(op: Operation): Operation | undefined {
  const collection = op.http?.path.replace(/\/\{\w+\}(\/[^{}]*)?$/, '')
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
    test('on another workspace’s object: 404, never 403, nothing written', async () => {
      const owner = await userWithToken(database)
      const target = await ownedObject(op, owner.authorization)
      // The same person's token for another workspace they own, and a stranger's token for theirs.
      const elsewhere = await workspaceWithMember('owner')
      await addMember(elsewhere.workspaceId, owner.userId, 'owner')
      const intruders = [
        (await bearerTokenFor(database, owner.userId, SCOPES, elsewhere.slug)).authorization,
        (await userWithToken(database)).authorization,
      ]
      const before = await snapshot()
      for (const intruder of intruders) {
        const { path, init } = requestFor(op, target, intruder)
        const response = await api.fetch(path, init)
        expect(response.status).toBe(404)
      }
      expect(await snapshot()).toEqual(before)
      // The owner still has it, unchanged.
      const { path: ownerPath, init: ownerInit } = requestFor(op, target, owner.authorization)
      if (op.http?.method === 'GET') {
        const answer = await api.fetch(ownerPath, ownerInit)
        if (op.http.answer === 'events') await answer.body?.cancel()
        expect(answer.status).toBe(200)
      }
    })

  const role = op.role
  for (const held of ROLES) {
    const ownOnly = OWN_OBJECTS_ONLY_BELOW[op.name]
    const allowed = (role === null || roleAtLeast(held, role)) && (!ownOnly || roleAtLeast(held, ownOnly))
    test(`with ${A_ROLE[held]}’s token: ${allowed ? op.http?.status : '403, nothing written'}`, async () => {
      const workspace = await workspaceWithMember(held)
      const target = await ownedObject(op, workspace.ownerAuthorization)
      const before = await snapshot()
      const { path, init } = requestFor(op, target, workspace.memberAuthorization)
      const response = await api.fetch(path, init)
      if (allowed) {
        // An event stream stays open until its reader leaves: the status is read, and the reader leaves.
        if (op.http?.answer === 'events') await response.body?.cancel()
        expect(response.status, op.http?.answer === 'events' ? '' : await response.clone().text()).toBe(op.http?.status)
        return
      }
      const needed = ownOnly ?? role
      if (!needed) throw new Error('unreachable: an operation without a role allows every role')
      await expectProblem(response, 'FORBIDDEN', needsRole(needed).message)
      expect(await snapshot()).toEqual(before)
    })
  }

  test('with the token of a member who was removed: 401, nothing written', async () => {
    // Through the service (which also revokes their tokens), and with only the membership gone (the token itself
    // untouched): either way the token no longer stands for anyone.
    for (const removal of ['removed by an owner', 'membership row deleted'] as const) {
      const workspace = await workspaceWithMember('admin')
      const target = await ownedObject(op, workspace.ownerAuthorization)
      if (removal === 'removed by an owner') await members.remove(workspace.ownerContext, { userId: workspace.memberId })
      else
        await database.db
          .delete(memberships)
          .where(and(eq(memberships.workspaceId, workspace.workspaceId), eq(memberships.userId, workspace.memberId)))
      const before = await snapshot()
      const { path, init } = requestFor(op, target, workspace.memberAuthorization)
      const response = await api.fetch(path, init)
      expect(response.status, removal).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await snapshot()).toEqual(before)
    }
  })

  const below = role ? ROLES.find((candidate) => !roleAtLeast(candidate, role)) : undefined
  if (role && below)
    test(`${A_ROLE[role]}’s token, its member demoted to ${below}: refused on the very next request (the role is read per request)`, async () => {
      const workspace = await workspaceWithMember(role)
      const first = requestFor(op, await ownedObject(op, workspace.ownerAuthorization), workspace.memberAuthorization)
      const answer = await api.fetch(first.path, first.init)
      if (op.http?.answer === 'events') await answer.body?.cancel()
      expect(answer.status).toBe(op.http?.status)
      await members.changeRole(workspace.ownerContext, { userId: workspace.memberId, role: below })
      const target = await ownedObject(op, workspace.ownerAuthorization)
      const before = await snapshot()
      const { path, init } = requestFor(op, target, workspace.memberAuthorization)
      await expectProblem(await api.fetch(path, init), 'FORBIDDEN', needsRole(role).message)
      expect(await snapshot()).toEqual(before)
    })
})

/** Puts `userId` in the workspace with `role`, as an accepted invitation would. */
async function addMember(workspaceId: string, userId: string, role: Role) {
  await database.db.insert(memberships).values({ workspaceId, userId, role })
}

/**
 * A workspace (its owner's personal one) with a second person in it holding `role`; each has a token with every
 * scope for it, and the owner a session there.
 */
async function workspaceWithMember(role: Role) {
  const ownerId = await createUser(database, 'Owner')
  const slug = personalWorkspace(ownerId)
  const [workspace] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!workspace) throw new Error(`no workspace ${slug}`)
  const memberId = await createUser(database, `A ${role}`)
  await addMember(workspace.id, memberId, role)
  return {
    slug,
    workspaceId: workspace.id,
    memberId,
    ownerContext: contextFor(database, sessionActor(ownerId), undefined, slug),
    ownerAuthorization: (await bearerTokenFor(database, ownerId, SCOPES, slug)).authorization,
    memberAuthorization: (await bearerTokenFor(database, memberId, SCOPES, slug)).authorization,
  }
}

/**
 * An object `op` can act on, created through the public API by its creating operation (and its parents' first, for a
 * nested path such as /projects/{id}/files/{fileId}): the ids of its path, in order; null if `op` names none.
 */
async function ownedObject(op: Operation, authorization: string): Promise<string[] | null> {
  if (paramsOf(op).length === 0) return null
  const creator = creatorOf(op)
  if (!creator) throw new Error(`${op.name}: no creating operation`)
  const parents = await ownedObject(creator, authorization)
  const { path, init } = requestFor(creator, parents, authorization)
  const response = await api.fetch(path, init)
  expect(response.status).toBe(201)
  return [...(parents ?? []), ((await response.json()) as { id: string }).id]
}

/**
 * Operations whose declared role is the least that may call them at all, but which a member may use only on what
 * they made: a member deleting another's file is refused, an admin is not (services/files.ts#remove).
 */
const OWN_OBJECTS_ONLY_BELOW: Partial<Record<string, Role>> = { 'files.delete': 'admin' }
