// The workspace's activity on a real database: each change appends its row in the change's own transaction (a change
// that rolls back, even at the commit itself, leaves no row and announces nothing), members read it newest first by
// pages, and only the display fields of `data` ever leave the server.
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { activity, memberships, workspaces } from '../../src/server/db/schema'
import { AppError } from '../../src/server/errors'
import { ACTIVITY_CHANNEL } from '../../src/server/services/activity'
import * as feed from '../../src/server/services/activity-feed'
import type { Role, ServiceContext } from '../../src/server/services/context'
import * as members from '../../src/server/services/members'
import * as projects from '../../src/server/services/projects'
import * as workspacesService from '../../src/server/services/workspaces'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { makePro } from '../support/plans'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

type Team = { id: string; slug: string; ownerId: string; owner: ServiceContext; as(userId: string): ServiceContext }

async function newTeam(ownerName = 'Olive Owner'): Promise<Team> {
  const ownerId = await createUser(database, ownerName)
  const slug = personalWorkspace(ownerId)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error('no workspace')
  const as = (userId: string) => contextFor(database, sessionActor(userId), undefined, slug)
  return { id: row.id, slug, ownerId, owner: as(ownerId), as }
}

async function add(team: Team, role: Role, name: string): Promise<string> {
  const userId = await createUser(database, name)
  await database.db.insert(memberships).values({ workspaceId: team.id, userId, role, createdAt: new Date() })
  return userId
}

const kinds = async (team: Team) => (await feed.list(team.owner, { limit: 100 })).items.map((i) => i.kind).reverse()

/** Payloads announced on the activity channel while `run` runs (and a moment after, for delivery). */
async function announcedDuring(run: () => Promise<unknown>): Promise<string[]> {
  const heard: string[] = []
  const stop = database.notifications.subscribe(ACTIVITY_CHANNEL, { message: (payload) => heard.push(payload) })
  try {
    await new Promise((resolve) => setTimeout(resolve, 100))
    await run().catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 300))
  } finally {
    stop()
  }
  return heard
}

describe('recording', () => {
  test('a project created, changed and deleted: one row each, by whom, with its name, announced with its id', async () => {
    const team = await newTeam('Ada')
    let projectId = ''
    const heard = await announcedDuring(async () => {
      const project = await projects.create(team.owner, { name: 'Roadmap' })
      projectId = project.id
      await projects.update(team.owner, { id: project.id, name: 'Roadmap 2' })
      await projects.remove(team.owner, { id: project.id })
    })
    const { items } = await feed.list(team.owner, {})
    expect(items.map((i) => [i.kind, i.subjectId, i.data, i.actor])).toEqual([
      ['project.deleted', projectId, { name: 'Roadmap 2' }, { id: team.ownerId, name: 'Ada' }],
      ['project.updated', projectId, { name: 'Roadmap 2' }, { id: team.ownerId, name: 'Ada' }],
      ['project.created', projectId, { name: 'Roadmap' }, { id: team.ownerId, name: 'Ada' }],
    ])
    expect(heard).toEqual(items.map((i) => `${team.id}:${i.id}`).reverse())
  })

  test('members: a role changed, a member removed, a member who left', async () => {
    const team = await newTeam()
    const bea = await add(team, 'member', 'Bea')
    const cal = await add(team, 'member', 'Cal')
    await members.changeRole(team.owner, { userId: bea, role: 'admin' })
    await members.remove(team.owner, { userId: bea })
    await workspacesService.leave(team.as(cal))
    const { items } = await feed.list(team.owner, {})
    expect(items.map((i) => [i.kind, i.subjectId, i.data])).toEqual([
      ['member.left', cal, { name: 'Cal' }],
      ['member.removed', bea, { name: 'Bea' }],
      ['member.role_changed', bea, { name: 'Bea', role: 'admin' }],
    ])
  })

  test('the workspace renamed and moved', async () => {
    const team = await newTeam()
    await workspacesService.rename(team.owner, { name: 'Acme' })
    const moved = `acme-${Date.now()}`
    await workspacesService.changeSlug(team.owner, { slug: moved })
    const ctx = contextFor(database, sessionActor(team.ownerId), undefined, moved)
    expect((await feed.list(ctx, {})).items.map((i) => [i.kind, i.data])).toEqual([
      ['workspace.moved', { slug: moved }],
      ['workspace.renamed', { name: 'Acme' }],
    ])
  })

  test('a change refused by its rules writes nothing: a stale version, the last owner', async () => {
    const team = await newTeam()
    const project = await projects.create(team.owner, { name: 'Kept' })
    await expect(projects.update(team.owner, { id: project.id, name: 'x', expectedVersion: 99 })).rejects.toBeInstanceOf(AppError)
    await expect(workspacesService.leave(team.owner)).rejects.toBeInstanceOf(AppError)
    expect(await kinds(team)).toEqual(['project.created'])
  })

  test('a change that fails at COMMIT (after its activity row was written) leaves no row and announces nothing', async () => {
    const team = await newTeam()
    // A deferred constraint trigger runs at commit: the project insert and recordActivity have both succeeded by then.
    await database.db.execute(sql`
      create or replace function refuse_doomed() returns trigger language plpgsql as $$
      begin if new.name = 'Doomed' then raise exception 'refused at commit'; end if; return new; end $$`)
    await database.db.execute(sql`
      create constraint trigger refuse_doomed after insert on projects deferrable initially deferred
      for each row execute function refuse_doomed()`)
    try {
      const heard = await announcedDuring(() => projects.create(team.owner, { name: 'Doomed' }))
      await expect(projects.create(team.owner, { name: 'Doomed' })).rejects.toThrow()
      expect(heard).toEqual([])
      expect(await database.db.select().from(activity).where(eq(activity.workspaceId, team.id))).toEqual([])
    } finally {
      await database.db.execute(sql`drop trigger refuse_doomed on projects`)
    }
  })

  test('if the activity cannot be written, the change is not made either', async () => {
    const team = await newTeam()
    await database.db.execute(sql`
      create or replace function refuse_activity() returns trigger language plpgsql as $$
      begin raise exception 'activity refused'; end $$`)
    await database.db.execute(sql`create trigger refuse_activity before insert on activity for each row execute function refuse_activity()`)
    try {
      await expect(projects.create(team.owner, { name: 'Orphan' })).rejects.toThrow()
    } finally {
      await database.db.execute(sql`drop trigger refuse_activity on activity`)
    }
    expect((await projects.list(team.owner, {})).items).toEqual([])
  })
})

describe('reading', () => {
  test('newest first, by pages that follow each other without gaps or repeats', async () => {
    const team = await newTeam()
    await makePro(database, team.slug)
    for (let i = 0; i < 5; i++) await projects.create(team.owner, { name: `P${i}` })
    const first = await feed.list(team.owner, { limit: 2 })
    const second = await feed.list(team.owner, { limit: 2, cursor: first.nextCursor ?? '' })
    const third = await feed.list(team.owner, { limit: 2, cursor: second.nextCursor ?? '' })
    expect([...first.items, ...second.items, ...third.items].map((i) => i.data.name)).toEqual(['P4', 'P3', 'P2', 'P1', 'P0'])
    expect(third.nextCursor).toBeNull()
  })

  test('another workspace’s activity is not visible, and a stranger is NOT_FOUND', async () => {
    const mine = await newTeam()
    const theirs = await newTeam()
    await projects.create(theirs.owner, { name: 'Secret' })
    expect((await feed.list(mine.owner, {})).items).toEqual([])
    await expect(feed.list(mine.as(theirs.ownerId), {})).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  test('a cursor not of our making is VALIDATION', async () => {
    const team = await newTeam()
    for (const cursor of ['0', '-1', 'abc', '9'.repeat(17)]) {
      await expect(feed.list(team.owner, { cursor })).rejects.toMatchObject({ code: 'VALIDATION' })
    }
  })

  test('only the display fields of data leave, each checked on its own', () => {
    expect(feed.displayData({ name: 'Roadmap', secret: 'hunter2', role: 'owner', email: 'a@b.c' })).toEqual({
      name: 'Roadmap',
      role: 'owner',
    })
    expect(feed.displayData({ name: 42, role: 'emperor', slug: 'x'.repeat(500), plan: 'pro' })).toEqual({ plan: 'pro' })
    expect(feed.displayData(null)).toEqual({})
    expect(feed.displayData('text')).toEqual({})
  })
})
