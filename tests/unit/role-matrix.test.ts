// The service authorization matrix, generated from the operation registry: every workspace operation × every role
// (and "not a member") through op.run, on a real database. An operation's declared `role` must be exactly what its
// service enforces: at or above it the call succeeds, below it FORBIDDEN, outside the workspace NOT_FOUND, and a
// refused call writes nothing. A new operation without a fixture here fails the suite, so it cannot go unchecked.
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type StripeStandIn, startStripeStandIn } from '../../src/dev/stripe/standin'
import { createStripeClient } from '../../src/server/billing/stripe-client'
import type { Database } from '../../src/server/db/client'
import { memberships, workspaces } from '../../src/server/db/schema'
import { AppError, type ErrorCode } from '../../src/server/errors'
import type { EventFeed } from '../../src/server/live/event-feed'
import type { Operation } from '../../src/server/operations/operation'
import { allOperations } from '../../src/server/operations/registry'
import { ensureStripeCustomer } from '../../src/server/services/billing'
import { anonymous, ROLES, type Role, roleAtLeast, type StripeAccess } from '../../src/server/services/context'
import * as fileService from '../../src/server/services/files'
import * as invitations from '../../src/server/services/invitations'
import * as projects from '../../src/server/services/projects'
import * as tokens from '../../src/server/services/tokens'
import { temporaryStorage } from '../support/api'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'

let database: Database
// The billing operations call Stripe: here the local stand-in, through the real SDK.
let standIn: StripeStandIn
let stripe: StripeAccess
beforeAll(async () => {
  database = await createTestDatabase()
  standIn = await startStripeStandIn()
  const client = createStripeClient({ secretKey: 'sk_test_matrix', webhookSecret: null, pricePro: 'price_pro', apiUrl: standIn.url })
  if (!client) throw new Error('no Stripe client')
  stripe = { client, pricePro: 'price_pro' }
})
afterAll(async () => {
  await standIn.close()
  await database.close()
})

/** A workspace of its own for one cell: its founder is its owner. */
type Space = { id: string; slug: string; founder: string }

async function newSpace(): Promise<Space> {
  const founder = await createUser(database, 'Founder')
  const slug = personalWorkspace(founder)
  const [row] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!row) throw new Error(`no workspace ${slug}`)
  return { id: row.id, slug, founder }
}

async function join(space: Space, role: Role, name = 'Joiner'): Promise<string> {
  const userId = await createUser(database, name)
  await database.db.insert(memberships).values({ workspaceId: space.id, userId, role, createdAt: new Date() })
  return userId
}

// The file operations read and write bytes: every context here has a storage of its own.
const storage = temporaryStorage()
const asFounder = (space: Space, now?: () => Date) => ({ ...contextFor(database, sessionActor(space.founder), now, space.slug), storage })
const twoMinutesAgo = () => new Date(Date.now() - 2 * 60_000)

/**
 * A valid raw input for the operation, naming an object that exists in `space`. `objectOwner` is whose object it is
 * where that matters (a member reaches only their own tokens).
 */
type Fixture = (space: Space, objectOwner: string) => Promise<Record<string, unknown>>

async function projectIn(space: Space) {
  return projects.create(asFounder(space), { name: 'Fixture project' })
}
/** A file in a project of `space`, uploaded by `uploader` (a member of it). */
async function fileIn(space: Space, uploader: string) {
  const project = await projectIn(space)
  const ctx = { ...contextFor(database, sessionActor(uploader), undefined, space.slug), storage }
  const file = await fileService.upload(ctx, { id: project.id, name: 'fixture.txt', body: Readable.from([Buffer.from('fixture')]) })
  return { id: project.id, fileId: file.id }
}
async function openInvitation(space: Space) {
  // Sent two minutes ago, so a resend is not throttled.
  return invitations.create(asFounder(space, twoMinutesAgo), { email: `${randomUUID()}@invitee.test`, role: 'member' })
}

const fixtures: Record<string, Fixture> = {
  'projects.list': async () => ({}),
  'activity.list': async () => ({}),
  'activity.events': async () => ({}),
  'projects.create': async () => ({ name: 'Made in the matrix' }),
  'projects.get': async (space) => ({ id: (await projectIn(space)).id }),
  'projects.update': async (space) => ({ id: (await projectIn(space)).id, name: 'Renamed in the matrix' }),
  'projects.delete': async (space) => ({ id: (await projectIn(space)).id }),
  'workspace.get': async () => ({}),
  'workspace.rename': async () => ({ name: 'Renamed workspace' }),
  'workspace.changeSlug': async () => ({ slug: `moved-${randomUUID().slice(0, 8)}` }),
  'workspace.delete': async (space) => ({ confirm: space.slug }),
  'workspace.leave': async () => ({}),
  'members.list': async () => ({}),
  'members.changeRole': async (space) => ({ userId: await join(space, 'member', 'Target'), role: 'admin' }),
  'members.remove': async (space) => ({ userId: await join(space, 'member', 'Target') }),
  'members.transferOwnership': async (space) => ({ userId: await join(space, 'member', 'Heir') }),
  'tokens.create': async () => ({ name: 'Matrix token', scopes: ['projects:read'] }),
  'tokens.revoke': async (space, objectOwner) => {
    const ctx = contextFor(database, sessionActor(objectOwner), undefined, space.slug)
    return { id: (await tokens.create(ctx, { name: 'To revoke', scopes: ['projects:read'] })).apiToken.id }
  },
  'invitations.create': async () => ({ email: `${randomUUID()}@invitee.test`, role: 'member' }),
  'invitations.resend': async (space) => ({ id: (await openInvitation(space)).id }),
  'invitations.revoke': async (space) => ({ id: (await openInvitation(space)).id }),
  'billing.checkout': async () => ({}),
  'billing.portal': async (space) => {
    await ensureStripeCustomer({ db: database.db, stripe: stripe.client, now: () => new Date() }, { id: space.id, name: 'Matrix' })
    return {}
  },
  'files.list': async (space) => ({ id: (await projectIn(space)).id }),
  'files.upload': async (space) => ({ id: (await projectIn(space)).id, name: 'matrix.txt', body: Readable.from([Buffer.from('matrix')]) }),
  'files.download': async (space) => fileIn(space, space.founder),
  // A member may delete what they uploaded (services/files.ts#remove); the file is the caller's own here.
  'files.delete': async (space, objectOwner) => fileIn(space, objectOwner),
}

/** Operations that name one object: another workspace's must be NOT_FOUND, even to an owner. */
const NAMING_AN_OBJECT = [
  'projects.get',
  'projects.update',
  'projects.delete',
  'tokens.revoke',
  'members.changeRole',
  'members.remove',
  'members.transferOwnership',
  'invitations.resend',
  'invitations.revoke',
  'files.list',
  'files.upload',
  'files.download',
  'files.delete',
]

async function outcome(call: () => Promise<unknown>): Promise<'ok' | ErrorCode> {
  try {
    await call()
    return 'ok'
  } catch (error) {
    if (error instanceof AppError) return error.code
    throw error
  }
}

const runOp = (op: Operation, ctx: ReturnType<typeof contextFor>, raw: Record<string, unknown>) => async () => {
  const output = await op.run({ ...ctx, storage }, op.input.parse(raw))
  // An event stream's feed is opened, never started: stopping it lets go of what opening took.
  if (op.http?.answer === 'events') (output as EventFeed).stop()
  return output
}

const workspaceOperations = allOperations.filter((op) => op.role !== null)
const callers = [...ROLES, 'not a member'] as const
const cells = workspaceOperations.flatMap((op) => callers.map((caller) => ({ op, caller })))
console.info(`role matrix: ${workspaceOperations.length} workspace operations × ${callers.length} callers = ${cells.length} cells`)

describe(`the role matrix (${workspaceOperations.length} operations × ${callers.length} callers = ${cells.length} cells)`, () => {
  test('every workspace operation in the registry has a fixture', () => {
    expect(workspaceOperations.map((op) => op.name).filter((name) => !fixtures[name])).toEqual([])
  })

  test.each(cells.map(({ op, caller }) => [op.name, caller, op] as const))('%s as %s', async (_name, caller, op) => {
    const fixture = fixtures[op.name]
    if (!fixture) throw new Error(`no fixture for ${op.name}: add one so the operation is covered`)
    if (!op.role) throw new Error('unreachable')
    const space = await newSpace()
    // The caller is someone other than the founder, so an owner leaving is not the last owner.
    const callerId = caller === 'not a member' ? await createUser(database, 'Outsider') : await join(space, caller, 'Caller')
    const raw = await fixture(space, caller === 'not a member' ? space.founder : callerId)
    const ctx = { ...contextFor(database, sessionActor(callerId), undefined, space.slug), stripe: async () => stripe }

    const expected = caller === 'not a member' ? 'NOT_FOUND' : roleAtLeast(caller, op.role) ? 'ok' : 'FORBIDDEN'
    const before = expected === 'ok' ? null : await domainRows(database)
    expect(await outcome(runOp(op, ctx, raw))).toBe(expected)
    if (before) expect(await domainRows(database)).toEqual(before)
  })

  test.each(NAMING_AN_OBJECT)("%s: another workspace's object is NOT_FOUND, even to an owner", async (name) => {
    const op = allOperations.find((o) => o.name === name)
    const fixture = fixtures[name]
    if (!op || !fixture) throw new Error(`${name} is not registered or has no fixture`)
    const mine = await newSpace()
    const theirs = await newSpace()
    const raw = await fixture(theirs, theirs.founder)
    const before = await domainRows(database)
    expect(await outcome(runOp(op, asFounder(mine), raw))).toBe('NOT_FOUND')
    expect(await domainRows(database)).toEqual(before)
  })

  test('the object-naming list names registered operations only', () => {
    const names = allOperations.map((op) => op.name)
    expect(NAMING_AN_OBJECT.filter((name) => !names.includes(name))).toEqual([])
  })
})

describe('operations outside any one workspace', () => {
  const unscoped = allOperations.filter((op) => op.role === null)
  const inputs: Record<string, Record<string, unknown>> = {
    'workspaces.create': { name: 'Anonymous workspace' },
    'invitations.accept': { token: 'some-token' },
    'me.get': {},
    'account.rename': { name: 'Renamed' },
    'account.changeEmail': { email: 'new-address@example.test', password: 'not the password' },
    'account.changePassword': { currentPassword: 'not the password', newPassword: 'a new password' },
    'account.resendVerification': {},
    'sessions.revoke': { id: 'some-session' },
    'sessions.revokeOthers': {},
    'account.delete': { password: 'not the password' },
  }

  test('are exactly the ones known here', () => {
    expect(unscoped.map((op) => op.name).sort()).toEqual(Object.keys(inputs).sort())
  })

  test.each(unscoped.map((op) => [op.name, op] as const))('%s needs a signed-in session', async (name, op) => {
    const before = await domainRows(database)
    const raw = inputs[name] ?? {}
    expect(await outcome(runOp(op, contextFor(database, anonymous), raw))).toBe('UNAUTHENTICATED')
    expect(await domainRows(database)).toEqual(before)
    // And a signed-in person gets past that check (whatever the input then makes of it).
    const signedIn = contextFor(database, sessionActor(await createUser(database, 'Signed in')))
    expect(await outcome(runOp(op, signedIn, raw))).not.toBe('UNAUTHENTICATED')
  })
})
