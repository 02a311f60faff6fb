// The projects service on a real database (PGlite, or PostgreSQL when DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { AppError, NotFound, PreconditionFailed, Unauthenticated, ValidationError } from '../../src/server/errors'
import { anonymous, type ServiceContext } from '../../src/server/services/context'
import * as projects from '../../src/server/services/projects'
import { contextFor, createTestDatabase, createUser, sessionActor } from '../support/db'
import { makePro } from '../support/plans'

let database: Database
let alice: ServiceContext
let bob: ServiceContext

beforeAll(async () => {
  database = await createTestDatabase()
  alice = contextFor(database, sessionActor(await createUser(database, 'Alice')))
  bob = contextFor(database, sessionActor(await createUser(database, 'Bob')))
  // These tests are about projects, not plans: Pro lifts Free's three-project limit (tests/unit/plan-limits.test.ts).
  for (const ctx of [alice, bob]) if (ctx.workspace) await makePro(database, ctx.workspace)
})
afterAll(() => database.close())

/** The field errors a rejected call reports (fails the test if the call succeeds or fails otherwise). */
async function fieldErrors(call: Promise<unknown>): Promise<Record<string, string[]>> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fieldErrors
}

describe('creating a project', () => {
  test('stores a trimmed name and description and starts at version 1', async () => {
    const project = await projects.create(alice, { name: '  Launch plan  ', description: '  Ship it.\r\n' })
    expect(project).toMatchObject({ name: 'Launch plan', description: 'Ship it.', version: 1 })
    expect(project.createdAt).toBe(project.updatedAt)
    expect(await projects.get(alice, { id: project.id })).toEqual(project)
  })

  test.each([
    ['missing', undefined, 'Name is required.'],
    ['empty', '', 'Name is required.'],
    ['only whitespace', ' \t\n ', 'Name is required.'],
    ['101 characters', 'x'.repeat(101), 'Name must be at most 100 characters.'],
    ['a line break inside', 'one\ntwo', 'Name must be a single line of text.'],
    ['a control character', 'bell\u0007', 'Name must be a single line of text.'],
  ])('rejects a name that is %s', async (_case, name, message) => {
    expect(await fieldErrors(projects.create(alice, { name } as { name: string }))).toEqual({ name: [message] })
  })

  test('accepts exactly 100 characters, counting an emoji as one', async () => {
    expect((await projects.create(alice, { name: 'x'.repeat(100) })).name).toHaveLength(100)
    const emoji = '🚀'.repeat(100) // 200 UTF-16 units, 100 characters
    expect((await projects.create(alice, { name: emoji })).name).toBe(emoji)
    expect(await fieldErrors(projects.create(alice, { name: `${emoji}!` }))).toHaveProperty('name')
  })

  test('normalises unicode, so the same name typed two ways is stored the same', async () => {
    const decomposed = 'Cafe\u0301 ñandú 東京'
    const project = await projects.create(alice, { name: decomposed })
    expect(project.name).toBe(decomposed.normalize('NFC'))
    expect(project.name).toBe('Café ñandú 東京')
  })

  test('accepts a 2,000-character description and rejects 2,001', async () => {
    await expect(projects.create(alice, { name: 'Long', description: 'd'.repeat(2000) })).resolves.toBeTruthy()
    expect(await fieldErrors(projects.create(alice, { name: 'Long', description: 'd'.repeat(2001) }))).toEqual({
      description: ['Description must be at most 2000 characters.'],
    })
  })

  test.each([
    ['NUL', 'a\u0000b'],
    ['an escape', 'a\u001bb'],
    ['a C1 control', 'a\u0085b'],
  ])('refuses %s in a description (PostgreSQL text cannot hold NUL) and stores nothing', async (_, description) => {
    const owner = contextFor(database, sessionActor(await createUser(database)))
    expect(await fieldErrors(projects.create(owner, { name: 'Controls', description }))).toEqual({
      description: ['Description must not contain control characters.'],
    })
    expect((await projects.list(owner, {})).items).toEqual([])
  })

  test('keeps line breaks and tabs in a description', async () => {
    const project = await projects.create(alice, { name: 'Layout', description: 'one\ttwo\r\nthree' })
    expect(project.description).toBe('one\ttwo\nthree')
  })

  test('refuses NUL in a name', async () => {
    expect(await fieldErrors(projects.create(alice, { name: 'a\u0000b' }))).toEqual({ name: ['Name must be a single line of text.'] })
  })

  test('reports every invalid field at once, and a wrong type as a field error', async () => {
    const errors = await fieldErrors(projects.create(alice, { name: 42, description: 7 } as never))
    expect(Object.keys(errors).sort()).toEqual(['description', 'name'])
  })

  test('needs a signed-in actor', async () => {
    await expect(projects.create(contextFor(database, anonymous), { name: 'x' })).rejects.toBeInstanceOf(Unauthenticated)
  })
})

describe('listing projects', () => {
  test('shows only the caller’s projects, newest first, in keyset pages', async () => {
    const owner = contextFor(database, sessionActor(await createUser(database)))
    if (owner.workspace) await makePro(database, owner.workspace)
    // One shared timestamp for three of them: the id breaks the tie, so no page skips or repeats a row.
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const at = (ms: number) => contextFor(database, owner.actor, () => new Date(ms))
    const created = []
    for (const [i, step] of [0, 1000, 0, 0, 1000].entries()) {
      clock += step
      created.push(await projects.create(at(clock), { name: `P${i}` }))
    }
    await projects.create(bob, { name: 'Not yours' })

    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await projects.list(owner, { limit: 2, cursor })
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((p) => p.name))
      cursor = page.nextCursor ?? undefined
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    const newestFirst = [...created].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    expect(seen).toEqual(newestFirst.map((p) => p.name))
    expect(seen[0]).toBe('P4')
  })

  test('a listed project is exactly what reading it gives, timestamps to the millisecond', async () => {
    const owner = contextFor(database, sessionActor(await createUser(database)))
    const at = (iso: string) => contextFor(database, owner.actor, () => new Date(iso))
    const old = await projects.create(at('1999-12-31T23:59:59.007Z'), { name: 'Old', description: 'From before' })
    const changed = await projects.update(at('2026-03-04T05:06:07.890Z'), { id: old.id, description: 'Changed' })
    const fresh = await projects.create(at('2026-11-26T09:30:00.000Z'), { name: 'Fresh' })

    const { items } = await projects.list(owner, {})
    // toStrictEqual: the rows come from the driver as they are (db/prepared.ts unmappedRows), so the same keys, no more.
    expect(items).toStrictEqual([fresh, changed])
    expect(items).toEqual([await projects.get(owner, { id: fresh.id }), await projects.get(owner, { id: old.id })])
    expect(items[1]).toMatchObject({ createdAt: '1999-12-31T23:59:59.007Z', updatedAt: '2026-03-04T05:06:07.890Z' })
  })

  test('an empty list has no next page', async () => {
    const nobody = contextFor(database, sessionActor(await createUser(database)))
    expect(await projects.list(nobody, {})).toEqual({ items: [], nextCursor: null })
  })

  test.each([0, 101, 1.5, 'ten'])('rejects limit %s', async (limit) => {
    expect(await fieldErrors(projects.list(alice, { limit } as never))).toHaveProperty('limit')
  })

  test.each(['garbage', Buffer.from('2026-01-01|not-a-uuid').toString('base64url'), 'x'.repeat(201)])(
    'rejects a forged cursor',
    async (cursor) => {
      expect(await fieldErrors(projects.list(alice, { cursor }))).toHaveProperty('cursor')
    },
  )

  const cursorOf = (createdAt: string, id = '00000000-0000-4000-8000-000000000000') =>
    Buffer.from(`${createdAt}|${id}`).toString('base64url')
  // Dates JavaScript can parse but PostgreSQL cannot hold (or prints differently): each a VALIDATION error, not a 500.
  test.each([
    ['year 0', '0000-01-01T00:00:00.000Z'],
    ['a year before 1', '-000001-01-01T00:00:00.000Z'],
    ['year 10000', '+010000-01-01T00:00:00.000Z'],
    ['the end of the Date range', '+275760-09-13T00:00:00.000Z'],
    ['a date that is not in our format', '2026-01-01'],
  ])('rejects a cursor dated %s with VALIDATION', async (_, createdAt) => {
    expect(await fieldErrors(projects.list(alice, { cursor: cursorOf(createdAt) }))).toEqual({ cursor: ['The cursor is not valid.'] })
  })

  test('a well-formed cursor past every project is an empty page, not an error', async () => {
    expect(await projects.list(alice, { cursor: cursorOf('0001-01-01T00:00:00.000Z') })).toEqual({ items: [], nextCursor: null })
  })
})

describe('another user’s project is invisible', () => {
  test('bob cannot read, update or delete alice’s project, and it stays unchanged', async () => {
    const project = await projects.create(alice, { name: 'Private' })
    await expect(projects.get(bob, { id: project.id })).rejects.toBeInstanceOf(NotFound)
    await expect(projects.update(bob, { id: project.id, name: 'Mine now' })).rejects.toBeInstanceOf(NotFound)
    await expect(projects.update(bob, { id: project.id, name: 'Mine now', expectedVersion: 1 })).rejects.toBeInstanceOf(NotFound)
    await expect(projects.remove(bob, { id: project.id })).rejects.toBeInstanceOf(NotFound)
    expect((await projects.list(bob, { limit: 100 })).items.map((p) => p.id)).not.toContain(project.id)
    expect(await projects.get(alice, { id: project.id })).toEqual(project)
  })

  test.each(['not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' OR '1'='1", ''])(
    'an id that names nothing (%j) is NOT_FOUND',
    async (id) => {
      await expect(projects.get(alice, { id })).rejects.toBeInstanceOf(NotFound)
    },
  )
})

describe('updating a project', () => {
  test('changes only the fields given and bumps the version', async () => {
    const project = await projects.create(alice, { name: 'Old', description: 'Keep me' })
    const later = contextFor(database, alice.actor, () => new Date(Date.parse(project.createdAt) + 5000))
    const renamed = await projects.update(later, { id: project.id, name: '  New  ' })
    expect(renamed).toMatchObject({ name: 'New', description: 'Keep me', version: 2 })
    expect(renamed.updatedAt > project.updatedAt).toBe(true)
    expect(renamed.createdAt).toBe(project.createdAt)
    const cleared = await projects.update(alice, { id: project.id, description: '' })
    expect(cleared).toMatchObject({ name: 'New', description: '', version: 3 })
  })

  test('with no fields changes nothing and returns the project', async () => {
    const project = await projects.create(alice, { name: 'Same' })
    expect(await projects.update(alice, { id: project.id })).toEqual(project)
  })

  test('an invalid name leaves the project as it was', async () => {
    const project = await projects.create(alice, { name: 'Stable' })
    await fieldErrors(projects.update(alice, { id: project.id, name: ' ' }))
    expect(await projects.get(alice, { id: project.id })).toEqual(project)
  })

  test('with a stale expected version fails with PRECONDITION_FAILED and writes nothing', async () => {
    const project = await projects.create(alice, { name: 'v1' })
    await projects.update(alice, { id: project.id, name: 'v2', expectedVersion: 1 })
    await expect(projects.update(alice, { id: project.id, name: 'lost update', expectedVersion: 1 })).rejects.toBeInstanceOf(
      PreconditionFailed,
    )
    await expect(projects.update(alice, { id: project.id, expectedVersion: 1 })).rejects.toBeInstanceOf(PreconditionFailed)
    expect(await projects.get(alice, { id: project.id })).toMatchObject({ name: 'v2', version: 2 })
  })

  test('two concurrent writers at the same version: exactly one wins', async () => {
    const project = await projects.create(alice, { name: 'race' })
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => projects.update(alice, { id: project.id, name, expectedVersion: 1 })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)
    expect(failures.every((e) => e instanceof PreconditionFailed)).toBe(true)
    expect((await projects.get(alice, { id: project.id })).version).toBe(2)
  })
})

describe('versions beyond what the version column holds', () => {
  test.each([2_147_483_648, 9_999_999_999])('expectedVersion %s is VALIDATION for update and delete', async (expectedVersion) => {
    const { id } = await projects.create(alice, { name: 'Bounded' })
    expect(await fieldErrors(projects.update(alice, { id, name: 'x', expectedVersion }))).toHaveProperty('expectedVersion')
    expect(await fieldErrors(projects.remove(alice, { id, expectedVersion }))).toHaveProperty('expectedVersion')
    expect(await projects.get(alice, { id })).toMatchObject({ name: 'Bounded', version: 1 })
  })
})

describe('deleting a project', () => {
  test('removes it and returns what was deleted; a second delete is NOT_FOUND', async () => {
    const project = await projects.create(alice, { name: 'Doomed' })
    expect(await projects.remove(alice, { id: project.id })).toEqual(project)
    await expect(projects.get(alice, { id: project.id })).rejects.toBeInstanceOf(NotFound)
    await expect(projects.remove(alice, { id: project.id })).rejects.toBeInstanceOf(NotFound)
  })

  test('with a stale expected version keeps the project', async () => {
    const project = await projects.create(alice, { name: 'Guarded' })
    await projects.update(alice, { id: project.id, name: 'Guarded 2' })
    const error = await projects.remove(alice, { id: project.id, expectedVersion: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    await expect(projects.get(alice, { id: project.id })).resolves.toMatchObject({ name: 'Guarded 2' })
  })
})
