// The workspaces service on a real database: the personal workspace every person starts with, creating (with the
// address made from the name or chosen), listing, renaming, moving, deleting with a typed confirmation, and leaving.
import { eq, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import {
  apiTokens,
  invitations as invitationsTable,
  memberships,
  outbox,
  projects as projectsTable,
  workspaces as workspacesTable,
} from '../../src/server/db/schema'
import { AppError, ValidationError } from '../../src/server/errors'
import type { Role, ServiceContext } from '../../src/server/services/context'
import * as invitations from '../../src/server/services/invitations'
import * as projects from '../../src/server/services/projects'
import { Slug } from '../../src/server/services/slugs'
import * as tokens from '../../src/server/services/tokens'
import * as workspaces from '../../src/server/services/workspaces'
import { bearerTokenFor } from '../support/api'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}
async function fieldErrors(call: Promise<unknown>): Promise<Record<string, string[]>> {
  const error = await failure(call)
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fieldErrors
}

const session = (userId: string, slug?: string) => contextFor(database, sessionActor(userId), undefined, slug)

async function workspaceId(slug: string): Promise<string> {
  const [row] = await database.db.select({ id: workspacesTable.id }).from(workspacesTable).where(eq(workspacesTable.slug, slug))
  if (!row) throw new Error(`no workspace ${slug}`)
  return row.id
}

async function join(slug: string, userId: string, role: Role) {
  await database.db.insert(memberships).values({ workspaceId: await workspaceId(slug), userId, role, createdAt: new Date() })
}

const unique = () => Math.random().toString(36).slice(2, 10)

describe('the personal workspace', () => {
  test('every person starts with one, named after them, which they own', async () => {
    const ada = await createUser(database, 'Ada Lovelace')
    const slug = personalWorkspace(ada)
    expect(slug).toMatch(/^ada-lovelace(-[0-9a-f]{6})?$/)
    expect(await workspaces.current(session(ada))).toMatchObject({ name: 'Ada Lovelace', slug, role: 'owner' })
    expect((await workspaces.listMine(session(ada))).items).toMatchObject([{ name: 'Ada Lovelace', slug, role: 'owner' }])
  })

  test('two people with the same name get different addresses; a name with no letters still gets a valid one', async () => {
    const first = await createUser(database, 'Same Name')
    const second = await createUser(database, 'Same Name')
    expect(personalWorkspace(first)).not.toBe(personalWorkspace(second))
    const odd = await createUser(database, '東京 🚀')
    expect(Slug.safeParse(personalWorkspace(odd)).success).toBe(true)
    expect((await workspaces.current(session(odd))).name).toBe('東京 🚀')
  })
})

describe('creating a workspace', () => {
  test('derives the address from the name, and the creator owns it', async () => {
    const ada = await createUser(database, 'Ada')
    const name = `Rocket Science ${unique()}`
    const created = await workspaces.create(session(ada), { name: `  ${name}  ` })
    expect(created).toMatchObject({ name, slug: name.toLowerCase().replaceAll(' ', '-'), role: 'owner' })
    expect((await workspaces.listMine(session(ada))).items.map((w) => w.slug)).toEqual([personalWorkspace(ada), created.slug])
    expect(await workspaces.current(session(ada, created.slug))).toMatchObject({ id: created.id, role: 'owner' })
  })

  test('a derived address that is taken gets a suffix', async () => {
    const ada = await createUser(database, 'Ada')
    const name = `Clash ${unique()}`
    const first = await workspaces.create(session(ada), { name })
    const second = await workspaces.create(session(ada), { name })
    expect(second.slug).toMatch(new RegExp(`^${first.slug}-[0-9a-f]{6}$`))
    expect(Slug.parse(second.slug)).toBe(second.slug)
  })

  test('a chosen address that is taken is a field error on slug, and nothing is made', async () => {
    const ada = await createUser(database, 'Ada')
    const bob = await createUser(database, 'Bob')
    const slug = `chosen-${unique()}`
    await workspaces.create(session(ada), { name: 'Mine', slug })
    const before = await domainRows(database)
    expect(await fieldErrors(workspaces.create(session(bob), { name: 'Theirs', slug }))).toEqual({
      slug: ['That address is taken. Choose another.'],
    })
    expect(await fieldErrors(workspaces.create(session(bob), { name: 'Theirs', slug: slug.toUpperCase() }))).toHaveProperty('slug')
    expect(await domainRows(database)).toEqual(before)
  })

  test.each([
    ['reserved', 'admin', 'That address is reserved. Choose another.'],
    ['reserved', 'invitations', 'That address is reserved. Choose another.'],
    ['too short', 'ab', 'Address must be at least 3 characters.'],
    ['too long', 'a'.repeat(49), 'Address must be at most 48 characters.'],
    ['with a space', 'my team', 'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.'],
    ['ending in a hyphen', 'team-', 'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.'],
    ['with a slash', 'a/b/c', 'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.'],
    ['with a double hyphen', 'my--team', 'Use single hyphens between words.'],
  ])('refuses an address that is %s (%s)', async (_case, slug, message) => {
    const ada = await createUser(database, 'Ada')
    expect(await fieldErrors(workspaces.create(session(ada), { name: 'Team', slug }))).toEqual({ slug: [message] })
  })

  test('only from the app: a token cannot create one', async () => {
    const ada = await createUser(database, 'Ada')
    const token = (await bearerTokenFor(database, ada)).token
    const actor = await tokens.authenticate(database.db, token, new Date())
    if (!actor) throw new Error('token not accepted')
    expect((await failure(workspaces.create(contextFor(database, actor), { name: 'By token' }))).code).toBe('FORBIDDEN')
  })
})

describe('listing mine', () => {
  test('a session sees all its workspaces; a token only its own', async () => {
    const ada = await createUser(database, 'Ada')
    const bob = await createUser(database, 'Bob')
    await join(personalWorkspace(bob), ada, 'member')
    const team = await workspaces.create(session(ada), { name: 'Ada team' })
    const mine = await workspaces.listMine(session(ada))
    expect(mine.items.map((w) => [w.slug, w.role])).toEqual([
      [personalWorkspace(ada), 'owner'],
      [personalWorkspace(bob), 'member'],
      [team.slug, 'owner'],
    ])
    const token = (await bearerTokenFor(database, ada, undefined, personalWorkspace(bob))).token
    const actor = await tokens.authenticate(database.db, token, new Date())
    if (!actor) throw new Error('token not accepted')
    expect((await workspaces.listMine(contextFor(database, actor))).items.map((w) => [w.slug, w.role])).toEqual([
      [personalWorkspace(bob), 'member'],
    ])
  })
})

describe('renaming and moving', () => {
  test('an owner renames; admins and members may not', async () => {
    const ada = await createUser(database, 'Ada')
    const admin = await createUser(database, 'Admin')
    await join(personalWorkspace(ada), admin, 'admin')
    const renamed = await workspaces.rename(session(ada), { name: '  New name ' })
    expect(renamed).toMatchObject({ name: 'New name', slug: personalWorkspace(ada) })
    expect((await failure(workspaces.rename(session(admin, personalWorkspace(ada)), { name: 'Mine now' }))).code).toBe('FORBIDDEN')
    expect(await fieldErrors(workspaces.rename(session(ada), { name: '' }))).toHaveProperty('name')
  })

  test('a new address: the old one is NOT_FOUND at once, the new one works', async () => {
    const ada = await createUser(database, 'Ada')
    const old = personalWorkspace(ada)
    const project = await projects.create(session(ada, old), { name: 'Moves along' })
    const slug = `moved-${unique()}`
    expect(await workspaces.changeSlug(session(ada, old), { slug: ` ${slug.toUpperCase()} ` })).toMatchObject({ slug })
    expect((await failure(projects.list(session(ada, old), {}))).code).toBe('NOT_FOUND')
    expect((await failure(projects.get(session(ada, old), { id: project.id }))).code).toBe('NOT_FOUND')
    expect((await failure(workspaces.current(session(ada, old)))).code).toBe('NOT_FOUND')
    expect((await projects.get(session(ada, slug), { id: project.id })).name).toBe('Moves along')
  })

  test('a taken or reserved address is a field error on slug', async () => {
    const ada = await createUser(database, 'Ada')
    const bob = await createUser(database, 'Bob')
    expect(await fieldErrors(workspaces.changeSlug(session(ada), { slug: personalWorkspace(bob) }))).toEqual({
      slug: ['That address is taken. Choose another.'],
    })
    expect(await fieldErrors(workspaces.changeSlug(session(ada), { slug: 'settings' }))).toEqual({
      slug: ['That address is reserved. Choose another.'],
    })
    expect((await workspaces.current(session(ada))).slug).toBe(personalWorkspace(ada))
  })
})

describe('deleting', () => {
  test('the wrong confirmation is a field error, and nothing is deleted', async () => {
    const ada = await createUser(database, 'Ada')
    await projects.create(session(ada), { name: 'Keep me' })
    const before = await domainRows(database)
    for (const confirm of ['', 'wrong', `${personalWorkspace(ada)}x`]) {
      const errors = await fieldErrors(workspaces.remove(session(ada), { confirm }))
      expect(errors).toEqual({ confirm: [`Type ${personalWorkspace(ada)} to confirm.`] })
    }
    expect(await domainRows(database)).toEqual(before)
  })

  test('the right one deletes projects, tokens, memberships and invitations together, and nothing else', async () => {
    const ada = await createUser(database, 'Ada')
    const bob = await createUser(database, 'Bob')
    const team = await workspaces.create(session(ada), { name: 'Doomed' })
    const id = await workspaceId(team.slug)
    await join(team.slug, bob, 'member')
    await projects.create(session(ada, team.slug), { name: 'Goes' })
    await projects.create(session(bob, team.slug), { name: 'Goes too' })
    const { token } = await tokens.create(session(bob, team.slug), { name: 'Goes', scopes: ['projects:read'] })
    await invitations.create(session(ada, team.slug), { email: 'pending@example.test' })
    // Elsewhere: must survive.
    await projects.create(session(ada), { name: 'Stays' })
    const { token: otherToken } = await tokens.create(session(bob), { name: 'Stays', scopes: ['projects:read'] })

    const before = await domainRows(database)
    expect(await workspaces.remove(session(ada, team.slug), { confirm: ` ${team.slug} ` })).toMatchObject({ id, slug: team.slug })
    for (const table of [projectsTable, apiTokens, memberships, invitationsTable] as const) {
      expect(await database.db.select().from(table).where(eq(table.workspaceId, id))).toEqual([])
    }
    expect(await database.db.select().from(workspacesTable).where(eq(workspacesTable.id, id))).toEqual([])
    expect(await tokens.authenticate(database.db, token, new Date())).toBeNull()
    expect(await tokens.authenticate(database.db, otherToken, new Date())).not.toBeNull()
    expect((await projects.list(session(ada), {})).items.map((p) => p.name)).toEqual(['Stays'])
    expect((await workspaces.listMine(session(bob))).items.map((w) => w.slug)).toEqual([personalWorkspace(bob)])

    // The invitation's e-mail, not sent yet, is withdrawn: its link leads nowhere now.
    const [mail] = await database.db.select().from(outbox).where(eq(outbox.to, 'pending@example.test'))
    expect(mail).toMatchObject({ status: 'failed', lastError: 'cancelled: the workspace was deleted', sentAt: null })

    // Every row that went was the workspace's: the other tables and other workspaces' rows are as they were.
    const { outbox: _withdrawn, ...after } = await domainRows(database)
    for (const [table, rows] of Object.entries(after)) {
      const gone = (before[table] ?? []).filter((row) => !rows.includes(row))
      const added = rows.filter((row) => !(before[table] ?? []).includes(row))
      expect(added, table).toEqual([])
      for (const row of gone) expect(row, table).toContain(id)
    }
  })

  test('only an owner may delete', async () => {
    const ada = await createUser(database, 'Ada')
    const admin = await createUser(database, 'Admin')
    await join(personalWorkspace(ada), admin, 'admin')
    const error = await failure(workspaces.remove(session(admin, personalWorkspace(ada)), { confirm: personalWorkspace(ada) }))
    expect(error.code).toBe('FORBIDDEN')
    expect(await workspaceId(personalWorkspace(ada))).toBeTruthy()
  })
})

describe('leaving', () => {
  test('the last owner cannot leave', async () => {
    const ada = await createUser(database, 'Ada')
    const member = await createUser(database, 'Member')
    await join(personalWorkspace(ada), member, 'member')
    const before = await domainRows(database)
    expect(await failure(workspaces.leave(session(ada)))).toMatchObject({ code: 'CONFLICT', message: workspaces.LAST_OWNER })
    expect(await domainRows(database)).toEqual(before)
  })

  test('an owner can leave when another owner stays', async () => {
    const ada = await createUser(database, 'Ada')
    const coOwner = await createUser(database, 'Co-owner')
    await join(personalWorkspace(ada), coOwner, 'owner')
    expect(await workspaces.leave(session(ada))).toMatchObject({ slug: personalWorkspace(ada), role: 'owner' })
    expect((await failure(workspaces.current(session(ada)))).code).toBe('NOT_FOUND')
    expect((await workspaces.current(session(coOwner, personalWorkspace(ada)))).role).toBe('owner')
  })

  test('two owners leaving at once: exactly one leaves', async () => {
    for (let round = 0; round < 3; round++) {
      const ada = await createUser(database, 'Ada')
      const coOwner = await createUser(database, 'Co-owner')
      const slug = personalWorkspace(ada)
      await join(slug, coOwner, 'owner')
      const results = await Promise.allSettled([workspaces.leave(session(ada, slug)), workspaces.leave(session(coOwner, slug))])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const refused = results.find((r) => r.status === 'rejected')
      expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'CONFLICT', message: workspaces.LAST_OWNER })
      const left = await database.db
        .select()
        .from(memberships)
        .where(eq(memberships.workspaceId, await workspaceId(slug)))
      expect(left.map((m) => m.role)).toEqual(['owner'])
    }
  })

  test('a member leaves: refused at once afterwards, and their tokens for it stop working', async () => {
    const ada = await createUser(database, 'Ada')
    const member = await createUser(database, 'Member')
    const slug = personalWorkspace(ada)
    await join(slug, member, 'member')
    const there = (await bearerTokenFor(database, member, ['projects:read'], slug)).token
    const { token: fromApp } = await tokens.create(session(member, slug), { name: 'App', scopes: ['projects:write'] })
    const home = (await bearerTokenFor(database, member, ['projects:read'])).token
    expect(await tokens.authenticate(database.db, there, new Date())).toMatchObject({ role: 'member' })

    expect(await workspaces.leave(session(member, slug))).toMatchObject({ slug, role: 'member' })
    expect((await failure(projects.list(session(member, slug), {}))).code).toBe('NOT_FOUND')
    expect(await tokens.authenticate(database.db, there, new Date())).toBeNull()
    expect(await tokens.authenticate(database.db, fromApp, new Date())).toBeNull()
    const revoked = await database.db
      .select({ revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(inArray(apiTokens.workspaceId, [await workspaceId(slug)]))
    expect(revoked.length).toBeGreaterThanOrEqual(2)
    expect(revoked.every((t) => t.revokedAt !== null)).toBe(true)
    // Their own workspace's token is untouched.
    expect(await tokens.authenticate(database.db, home, new Date())).toMatchObject({ role: 'owner' })

    // Re-joining does not revive the old tokens.
    await join(slug, member, 'member')
    expect(await tokens.authenticate(database.db, there, new Date())).toBeNull()
  })

  test('a token acts in its own workspace whatever workspace the context names', async () => {
    const ada = await createUser(database, 'Ada')
    const member = await createUser(database, 'Member')
    const slug = personalWorkspace(ada)
    await join(slug, member, 'member')
    await projects.create(session(ada), { name: 'In Ada’s workspace' })
    await projects.create(session(member), { name: 'In the member’s own' })
    const token = (await bearerTokenFor(database, member, ['projects:read'], slug)).token
    const actor = await tokens.authenticate(database.db, token, new Date())
    if (!actor) throw new Error('token not accepted')
    const ctx: ServiceContext = contextFor(database, actor, undefined, personalWorkspace(member))
    expect((await projects.list(ctx, {})).items.map((p) => p.name)).toEqual(['In Ada’s workspace'])
  })
})
