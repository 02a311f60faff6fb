// Plan limits in the services, on a real database: Free allows 3 projects and 3 members (open invitations hold a
// seat), Pro has no limit, concurrent creates cannot both take the last place, and a workspace back on Free keeps
// everything it has, with only new creation refused.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { invitations as invitationsTable, memberships, outbox, projects as projectsTable, workspaces } from '../../src/server/db/schema'
import { AppError, PlanLimit } from '../../src/server/errors'
import type { ServiceContext } from '../../src/server/services/context'
import * as invitations from '../../src/server/services/invitations'
import * as projects from '../../src/server/services/projects'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'
import { setSubscriptionStatus } from '../support/plans'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

type Space = { slug: string; id: string; ownerId: string; owner: ServiceContext }

async function newSpace(): Promise<Space> {
  const ownerId = await createUser(database, 'Owner')
  const slug = personalWorkspace(ownerId)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error('no workspace')
  // A minute ago, so a second invitation e-mail to the same address is not throttled.
  return { slug, id: row.id, ownerId, owner: contextFor(database, sessionActor(ownerId), undefined, slug) }
}

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

const projectCount = async (space: Space) =>
  (await database.db.select().from(projectsTable).where(eq(projectsTable.workspaceId, space.id))).length
const memberCount = async (space: Space) =>
  (await database.db.select().from(memberships).where(eq(memberships.workspaceId, space.id))).length

async function createProjects(space: Space, n: number) {
  const made: projects.Project[] = []
  for (let i = 0; i < n; i++) made.push(await projects.create(space.owner, { name: `Project ${i + 1}` }))
  return made
}

describe('projects', () => {
  test('Free allows three projects; the fourth is PLAN_LIMIT, says so, offers the upgrade, and writes nothing', async () => {
    const space = await newSpace()
    await createProjects(space, 3)
    const before = await domainRows(database)
    const error = await refusal(projects.create(space.owner, { name: 'Fourth' }))
    expect(error).toBeInstanceOf(PlanLimit)
    expect(error).toMatchObject({
      code: 'PLAN_LIMIT',
      upgrade: true,
      message: 'The Free plan includes 3 projects per workspace. Upgrade to Pro for unlimited projects.',
    })
    expect(await domainRows(database)).toEqual(before)
  })

  test('two creates at the same moment with two projects: exactly one takes the last place', async () => {
    const space = await newSpace()
    await createProjects(space, 2)
    const results = await Promise.allSettled([
      projects.create(space.owner, { name: 'Racer A' }),
      projects.create(space.owner, { name: 'Racer B' }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((r) => r.status === 'rejected')
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(PlanLimit)
    expect(await projectCount(space)).toBe(3)
  })

  test('ten creates at once on an empty Free workspace leave exactly three projects', async () => {
    const space = await newSpace()
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => projects.create(space.owner, { name: `Burst ${i}` })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PlanLimit)
    expect(await projectCount(space)).toBe(3)
  })

  test.each(['active', 'trialing', 'past_due'])('a %s subscription is Pro: no project limit', async (status) => {
    const space = await newSpace()
    await setSubscriptionStatus(database, space.slug, status)
    await createProjects(space, 5)
    expect(await projectCount(space)).toBe(5)
  })

  test('another workspace’s projects do not count', async () => {
    const full = await newSpace()
    await createProjects(full, 3)
    const other = await newSpace()
    await createProjects(other, 3)
    expect(await projectCount(other)).toBe(3)
  })

  test('back on Free after a cancellation: all five projects stay readable, editable and deletable; only creating is refused', async () => {
    const space = await newSpace()
    await setSubscriptionStatus(database, space.slug, 'active')
    const made = await createProjects(space, 5)
    await setSubscriptionStatus(database, space.slug, 'canceled')

    const page = await projects.list(space.owner, { limit: 20 })
    expect(page.items.map((p) => p.name).sort()).toEqual(made.map((p) => p.name).sort())
    const [first, second, third] = made
    if (!first || !second || !third) throw new Error('unreachable')
    expect((await projects.get(space.owner, { id: first.id })).name).toBe(first.name)
    expect((await projects.update(space.owner, { id: first.id, name: 'Still mine' })).name).toBe('Still mine')
    expect((await refusal(projects.create(space.owner, { name: 'Sixth' }))).code).toBe('PLAN_LIMIT')

    // Deleting down to two makes room for one more, as on any Free workspace.
    for (const p of [first, second, third]) await projects.remove(space.owner, { id: p.id })
    expect(await projectCount(space)).toBe(2)
    await projects.create(space.owner, { name: 'Third again' })
    expect((await refusal(projects.create(space.owner, { name: 'Fourth again' }))).code).toBe('PLAN_LIMIT')
  })
})

const LINK = /http:\/\/app\.test\/invitations\/([A-Za-z0-9_-]+)/

async function linkOf(invitationId: string): Promise<string> {
  const [invitation] = await database.db.select().from(invitationsTable).where(eq(invitationsTable.id, invitationId))
  if (!invitation?.mailId) throw new Error('the invitation has no mail')
  const [mail] = await database.db.select().from(outbox).where(eq(outbox.id, invitation.mailId))
  const token = mail ? LINK.exec(mail.text)?.[1] : undefined
  if (!token) throw new Error('no link in the invitation e-mail')
  return token
}

/** Invites a new person and returns how they accept. */
async function invite(space: Space) {
  const inviteeId = await createUser(database, 'Invitee')
  const invitation = await invitations.create(space.owner, { email: `${inviteeId}@example.test`, role: 'member' })
  const token = await linkOf(invitation.id)
  return { invitation, accept: () => invitations.accept(contextFor(database, sessionActor(inviteeId)), { token }) }
}

describe('members', () => {
  test('Free: the owner and two open invitations fill three seats; a third invitation is PLAN_LIMIT and writes nothing', async () => {
    const space = await newSpace()
    await invite(space)
    await invite(space)
    const before = await domainRows(database)
    const error = await refusal(invitations.create(space.owner, { email: 'one-too-many@example.test', role: 'member' }))
    expect(error).toMatchObject({
      code: 'PLAN_LIMIT',
      upgrade: true,
      message:
        'The Free plan includes 3 members per workspace, open invitations included. Revoke an invitation, or upgrade to Pro for unlimited members.',
    })
    expect(await domainRows(database)).toEqual(before)
  })

  test('revoking an invitation frees its seat; accepting keeps it taken', async () => {
    const space = await newSpace()
    const first = await invite(space)
    const second = await invite(space)
    await first.accept()
    expect((await refusal(invitations.create(space.owner, { email: 'later@example.test', role: 'member' }))).code).toBe('PLAN_LIMIT')
    await invitations.revoke(space.owner, { id: second.invitation.id })
    await invitations.create(space.owner, { email: 'later@example.test', role: 'member' })
  })

  test('two invitations at once for the last seat: exactly one is made', async () => {
    const space = await newSpace()
    await invite(space)
    const results = await Promise.allSettled([
      invitations.create(space.owner, { email: 'racer-a@example.test', role: 'member' }),
      invitations.create(space.owner, { email: 'racer-b@example.test', role: 'member' }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const open = await database.db.select().from(invitationsTable).where(eq(invitationsTable.workspaceId, space.id))
    expect(open).toHaveLength(2)
  })

  test('Pro: no member limit', async () => {
    const space = await newSpace()
    await setSubscriptionStatus(database, space.slug, 'active')
    for (let i = 0; i < 4; i++) await (await invite(space)).accept()
    expect(await memberCount(space)).toBe(5)
  })

  test('invited on Pro, accepted after falling back to Free: joins while there is room, then PLAN_LIMIT and nothing joined', async () => {
    const space = await newSpace()
    await setSubscriptionStatus(database, space.slug, 'active')
    const invited = [await invite(space), await invite(space), await invite(space)]
    await setSubscriptionStatus(database, space.slug, 'canceled')
    const [a, b, c] = invited
    if (!a || !b || !c) throw new Error('unreachable')
    await a.accept()
    await b.accept()
    expect(await memberCount(space)).toBe(3)
    const before = await domainRows(database)
    const error = await refusal(c.accept())
    expect(error.code).toBe('PLAN_LIMIT')
    expect(error.message).toMatch(/limit of 3 members/)
    expect(await domainRows(database)).toEqual(before)
    // Back on Pro, the same link works.
    await setSubscriptionStatus(database, space.slug, 'active')
    await c.accept()
    expect(await memberCount(space)).toBe(4)
  })
})
