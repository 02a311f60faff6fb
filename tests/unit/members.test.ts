// The members service on a real database: listing, role changes (owners only make or unmake owners, a workspace
// always keeps one), and removal, which takes effect on the removed person's very next call.
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { activity, memberships, workspaces } from '../../src/server/db/schema'
import { AppError, type ErrorCode } from '../../src/server/errors'
import type { Role, ServiceContext } from '../../src/server/services/context'
import * as members from '../../src/server/services/members'
import * as projects from '../../src/server/services/projects'
import * as tokens from '../../src/server/services/tokens'
import { LAST_OWNER } from '../../src/server/services/workspaces'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

type Team = { slug: string; id: string; ownerId: string; owner: ServiceContext; as(userId: string): ServiceContext }

/** A workspace owned by a fresh user, and a way to act in it as anyone. */
async function newTeam(): Promise<Team> {
  const ownerId = await createUser(database, 'Olive Owner')
  const slug = personalWorkspace(ownerId)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error('no workspace')
  const as = (userId: string) => contextFor(database, sessionActor(userId), undefined, slug)
  return { slug, id: row.id, ownerId, owner: as(ownerId), as }
}

async function add(team: Team, role: Role, name = 'Someone'): Promise<string> {
  const userId = await createUser(database, name)
  await database.db.insert(memberships).values({ workspaceId: team.id, userId, role, createdAt: new Date() })
  return userId
}

async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}
const codeOf = async (call: Promise<unknown>): Promise<ErrorCode> => (await failure(call)).code

async function rolesIn(team: Team): Promise<Record<string, Role>> {
  const rows = await database.db.select().from(memberships).where(eq(memberships.workspaceId, team.id))
  return Object.fromEntries(rows.map((r) => [r.userId, r.role]))
}

describe('listing members', () => {
  test('owners first, each with name, address and role; members may not list', async () => {
    const team = await newTeam()
    const member = await add(team, 'member', 'Mia Member')
    const admin = await add(team, 'admin', 'Ada Admin')
    const list = await members.list(team.owner)
    expect(list.items.map((m) => [m.userId, m.role])).toEqual([
      [team.ownerId, 'owner'],
      [admin, 'admin'],
      [member, 'member'],
    ])
    expect(list.items[1]).toMatchObject({ name: 'Ada Admin', email: `${admin}@example.test` })
    expect((await members.list(team.as(admin))).items).toHaveLength(3)
    expect(await codeOf(members.list(team.as(member)))).toBe('FORBIDDEN')
  })

  test('another workspace’s people are not listed, and an outsider is NOT_FOUND', async () => {
    const team = await newTeam()
    const other = await newTeam()
    expect((await members.list(team.owner)).items.map((m) => m.userId)).toEqual([team.ownerId])
    expect(await codeOf(members.list(other.as(team.ownerId)))).toBe('NOT_FOUND')
  })
})

describe('changing roles', () => {
  test('an admin makes a member an admin and back', async () => {
    const team = await newTeam()
    const admin = await add(team, 'admin')
    const member = await add(team, 'member')
    expect(await members.changeRole(team.as(admin), { userId: member, role: 'admin' })).toMatchObject({ userId: member, role: 'admin' })
    expect((await rolesIn(team))[member]).toBe('admin')
    await members.changeRole(team.as(admin), { userId: member, role: 'member' })
    expect((await rolesIn(team))[member]).toBe('member')
  })

  test('only an owner makes or unmakes an owner', async () => {
    const team = await newTeam()
    const admin = await add(team, 'admin')
    const member = await add(team, 'member')
    const coOwner = await add(team, 'owner')
    const before = await domainRows(database)
    const promote = await failure(members.changeRole(team.as(admin), { userId: member, role: 'owner' }))
    expect(promote).toMatchObject({ code: 'FORBIDDEN', message: 'Only an owner of this workspace can do that.' })
    expect(await codeOf(members.changeRole(team.as(admin), { userId: coOwner, role: 'member' }))).toBe('FORBIDDEN')
    expect(await codeOf(members.changeRole(team.as(admin), { userId: team.ownerId, role: 'admin' }))).toBe('FORBIDDEN')
    expect(await domainRows(database)).toEqual(before)

    await members.changeRole(team.owner, { userId: member, role: 'owner' })
    await members.changeRole(team.owner, { userId: coOwner, role: 'admin' })
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner', [admin]: 'admin', [member]: 'owner', [coOwner]: 'admin' })
  })

  test('the last owner cannot be demoted, even by themselves', async () => {
    const team = await newTeam()
    const error = await failure(members.changeRole(team.owner, { userId: team.ownerId, role: 'admin' }))
    expect(error).toMatchObject({ code: 'CONFLICT', message: LAST_OWNER })
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner' })
  })

  test('a target who is not in the workspace is NOT_FOUND; a bad role is a field error', async () => {
    const team = await newTeam()
    const stranger = await createUser(database, 'Stranger')
    expect(await codeOf(members.changeRole(team.owner, { userId: stranger, role: 'admin' }))).toBe('NOT_FOUND')
    const error = await failure(members.changeRole(team.owner, { userId: team.ownerId, role: 'king' as Role }))
    expect(error.code).toBe('VALIDATION')
  })

  test('two owners demoting each other at the same time leave exactly one owner', async () => {
    for (let round = 0; round < 5; round++) {
      const team = await newTeam()
      const other = await add(team, 'owner')
      const results = await Promise.allSettled([
        members.changeRole(team.owner, { userId: other, role: 'member' }),
        members.changeRole(team.as(other), { userId: team.ownerId, role: 'member' }),
      ])
      const roles = await rolesIn(team)
      expect(Object.values(roles).filter((r) => r === 'owner')).toHaveLength(1)
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      // The loser either saw the winner's change already (it is no longer an owner: FORBIDDEN) or counted owners
      // under the workspace lock after it (CONFLICT, the last owner): never both demotions.
      const refused = results.find((r) => r.status === 'rejected')
      const reason = refused?.status === 'rejected' ? (refused.reason as AppError) : null
      expect(reason).toBeInstanceOf(AppError)
      if (reason?.code === 'CONFLICT') expect(reason.message).toBe(LAST_OWNER)
      else expect(reason?.code).toBe('FORBIDDEN')
    }
  })
})

describe('removing members', () => {
  test('a removed member is refused at once, and their token for the workspace stops working', async () => {
    const team = await newTeam()
    const member = await add(team, 'member', 'Leaving Soon')
    const memberCtx = team.as(member)
    await projects.list(memberCtx, {})
    const { token } = await tokens.create(memberCtx, { name: 'CI', scopes: ['projects:read'] })
    expect(await tokens.authenticate(database.db, token, new Date())).toMatchObject({ role: 'member', workspaceId: team.id })

    expect(await members.remove(team.owner, { userId: member })).toMatchObject({ userId: member, role: 'member' })
    expect(await codeOf(projects.list(memberCtx, {}))).toBe('NOT_FOUND')
    expect(await tokens.authenticate(database.db, token, new Date())).toBeNull()
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner' })
  })

  test('their personal workspace and account are untouched', async () => {
    const team = await newTeam()
    const member = await add(team, 'member')
    await members.remove(team.owner, { userId: member })
    const own = contextFor(database, sessionActor(member))
    expect((await projects.list(own, {})).items).toEqual([])
  })

  test('admins remove members and admins, not owners', async () => {
    const team = await newTeam()
    const admin = await add(team, 'admin')
    const otherAdmin = await add(team, 'admin')
    const coOwner = await add(team, 'owner')
    const before = await domainRows(database)
    expect(await codeOf(members.remove(team.as(admin), { userId: coOwner }))).toBe('FORBIDDEN')
    expect(await codeOf(members.remove(team.as(admin), { userId: team.ownerId }))).toBe('FORBIDDEN')
    expect(await domainRows(database)).toEqual(before)
    await members.remove(team.as(admin), { userId: otherAdmin })
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner', [admin]: 'admin', [coOwner]: 'owner' })
  })

  test('an owner removes another owner, but never the last one', async () => {
    const team = await newTeam()
    const coOwner = await add(team, 'owner')
    await members.remove(team.owner, { userId: coOwner })
    expect(await failure(members.remove(team.owner, { userId: team.ownerId }))).toMatchObject({ code: 'CONFLICT', message: LAST_OWNER })
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner' })
  })

  test('members cannot remove anyone', async () => {
    const team = await newTeam()
    const member = await add(team, 'member')
    const other = await add(team, 'member')
    expect(await codeOf(members.remove(team.as(member), { userId: other }))).toBe('FORBIDDEN')
    expect(Object.keys(await rolesIn(team))).toHaveLength(3)
  })
})

describe('transferring ownership', () => {
  test('the owner hands it to a member: they become owner, the old owner admin, and the feed says so', async () => {
    const team = await newTeam()
    const grace = await add(team, 'member', 'Grace Hopper')
    expect(await members.transferOwnership(team.owner, { userId: grace })).toMatchObject({ userId: grace, role: 'owner' })
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'admin', [grace]: 'owner' })
    const entries = await database.db
      .select({ kind: activity.kind, actorId: activity.actorId, subjectId: activity.subjectId })
      .from(activity)
      .where(and(eq(activity.workspaceId, team.id), eq(activity.kind, 'ownership.transferred')))
    expect(entries).toEqual([{ kind: 'ownership.transferred', actorId: team.ownerId, subjectId: grace }])
  })

  test.each([['admin'], ['member']] as const)('an %s may not transfer it, and nothing changes', async (role) => {
    const team = await newTeam()
    const caller = await add(team, role)
    const other = await add(team, 'member')
    expect(await codeOf(members.transferOwnership(team.as(caller), { userId: other }))).toBe('FORBIDDEN')
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner', [caller]: role, [other]: 'member' })
  })

  test('only to an existing member of this workspace, and not to oneself', async () => {
    const team = await newTeam()
    const stranger = await createUser(database, 'Stranger')
    expect(await codeOf(members.transferOwnership(team.owner, { userId: stranger }))).toBe('NOT_FOUND')
    expect(await codeOf(members.transferOwnership(team.owner, { userId: team.ownerId }))).toBe('VALIDATION')
    expect(await rolesIn(team)).toEqual({ [team.ownerId]: 'owner' })
  })
})
