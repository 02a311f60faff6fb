// toAction: the server-action rendering of operations. The adapter takes its Next.js bindings as deps, so it runs
// here with a real database and plain functions in place of cookies, revalidatePath and redirect — no mocking
// of next/headers.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import type { Database } from '../../src/server/db/client'
import type { ActionResult } from '../../src/server/http/action-result'
import { operation } from '../../src/server/operations/operation'
import { createProject, deleteProject, getProject, updateProject } from '../../src/server/operations/projects'
import { createToken } from '../../src/server/operations/tokens'
import { type Actor, anonymous } from '../../src/server/services/context'
import * as projects from '../../src/server/services/projects'
import * as tokens from '../../src/server/services/tokens'
import { type ActionDeps, toAction } from '../../src/server/transports/to-action'
import { captureLogger, type LogLine } from '../support/api'
import { contextFor, createTestDatabase, createUser, personalWorkspace, sessionActor } from '../support/db'
import { formOf as form } from '../support/forms'
import { makePro } from '../support/plans'

/** What Next's redirect() throws, reduced to what matters here: it must reach the framework untouched. */
class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super(`NEXT_REDIRECT ${url}`)
  }
}

let database: Database
let alice: Actor
let bob: Actor

beforeAll(async () => {
  database = await createTestDatabase()
  alice = sessionActor(await createUser(database, 'Alice'))
  bob = sessionActor(await createUser(database, 'Bob'))
  // About the adapter, not plans: Pro lifts Free's three-project limit (tests/api/billing-actions.test.ts covers it).
  for (const actor of [alice, bob]) if (actor.type === 'user') await makePro(database, personalWorkspace(actor.userId))
})
afterAll(() => database.close())

function depsFor(actor: Actor) {
  const revalidated: string[] = []
  const logs: LogLine[] = []
  const deps: ActionDeps = {
    context: async () => contextFor(database, actor),
    revalidatePath: (path) => revalidated.push(path),
    redirect: (url) => {
      throw new RedirectSignal(url)
    },
    passThrough: (thrown) => {
      if (thrown instanceof RedirectSignal) throw thrown
    },
    log: captureLogger(logs),
  }
  return { deps, revalidated, logs }
}

function failed<T>(result: ActionResult<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`)
  return result
}

describe('toAction', () => {
  test('success: returns the data and revalidates the paths the operation names', async () => {
    const { deps, revalidated } = depsFor(alice)
    const create = toAction(createProject, { revalidate: (p) => ['/dashboard', `/dashboard/projects/${p.id}`] }, deps)
    const result = await create(null, form({ name: '  From a form  ', description: 'Hi', $ACTION_ID_abc: '' }))
    expect(result).toMatchObject({ ok: true, data: { name: 'From a form', description: 'Hi', version: 1 } })
    const id = result.ok ? result.data.id : ''
    expect(revalidated).toEqual(['/dashboard', `/dashboard/projects/${id}`])
  })

  test('success with redirectTo: the redirect is thrown to the framework after revalidating', async () => {
    const { deps, revalidated } = depsFor(alice)
    const project = await projects.create(contextFor(database, alice), { name: 'Leaving' })
    const remove = toAction(
      deleteProject,
      { revalidate: () => ['/dashboard'], redirectTo: (p) => `/dashboard?deleted=${encodeURIComponent(p.name)}` },
      deps,
    )
    const thrown = await remove(null, form({ id: project.id })).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(RedirectSignal)
    expect((thrown as RedirectSignal).url).toBe('/dashboard?deleted=Leaving')
    expect(revalidated).toEqual(['/dashboard'])
    await expect(projects.get(contextFor(database, alice), { id: project.id })).rejects.toThrow('Project not found.')
  })

  test('confirm: a destructive action without the ticked box is refused on its confirm field, and nothing is done', async () => {
    const { deps, revalidated } = depsFor(alice)
    const project = await projects.create(contextFor(database, alice), { name: 'Careful' })
    const remove = toAction(deleteProject, { confirm: 'Tick the box to confirm the deletion.', revalidate: () => ['/dashboard'] }, deps)
    for (const confirm of [undefined, '', 'on', 'no']) {
      const fields: Record<string, string> = { id: project.id }
      if (confirm !== undefined) fields.confirm = confirm
      expect(failed(await remove(null, form(fields))).error).toEqual({
        code: 'VALIDATION',
        message: 'Tick the box to confirm the deletion.',
        fieldErrors: { confirm: ['Tick the box to confirm the deletion.'] },
      })
    }
    expect(revalidated).toEqual([])
    expect(await projects.get(contextFor(database, alice), { id: project.id })).toEqual(project)
    expect(await remove(null, form({ id: project.id, confirm: 'yes' }))).toMatchObject({ ok: true, data: { name: 'Careful' } })
  })

  test('validation: field errors, what was typed echoed back, nothing revalidated or written', async () => {
    const { deps, revalidated } = depsFor(alice)
    const project = await projects.create(contextFor(database, alice), { name: 'Keep' })
    const update = toAction(updateProject, { revalidate: () => ['/dashboard'] }, deps)
    const result = failed(await update(null, form({ id: project.id, name: '   ', description: 'typed text' })))
    expect(result.error).toEqual({
      code: 'VALIDATION',
      message: 'Some fields are not valid.',
      fieldErrors: { name: ['Name is required.'] },
    })
    expect(result.values).toEqual({ id: project.id, name: '   ', description: 'typed text' })
    expect(revalidated).toEqual([])
    expect(await projects.get(contextFor(database, alice), { id: project.id })).toEqual(project)
  })

  test('hostile form values: NUL in a description and a 10-digit expectedVersion are VALIDATION, never a 500', async () => {
    const { deps, logs } = depsFor(alice)
    const project = await projects.create(contextFor(database, alice), { name: 'Steady' })
    const update = toAction(updateProject, {}, deps)
    const nul = failed(await update(null, form({ id: project.id, description: 'a\u0000b' })))
    expect(nul.error).toEqual({
      code: 'VALIDATION',
      message: 'Some fields are not valid.',
      fieldErrors: { description: ['Description must not contain control characters.'] },
    })
    const version = failed(await update(null, form({ id: project.id, name: 'x', expectedVersion: '9999999999' })))
    expect(version.error.code).toBe('VALIDATION')
    expect(version.error.fieldErrors).toHaveProperty('expectedVersion')
    expect(logs.filter((line) => line.level === 'error')).toEqual([])
    expect(await projects.get(contextFor(database, alice), { id: project.id })).toEqual(project)
  })

  test('secrets are never echoed back into a form', async () => {
    const { deps } = depsFor(alice)
    const action = toAction(createProject, {}, deps)
    const result = failed(await action(null, form({ name: '', password: 'hunter2hunter2', token: 'tf_secret' })))
    expect(result.values).toEqual({ name: '' })
  })

  test('unauthenticated: UNAUTHENTICATED, and the operation never runs', async () => {
    const { deps } = depsFor(anonymous)
    const result = failed(await toAction(createProject, {}, deps)(null, form({ name: 'Sneaky' })))
    expect(result.error).toEqual({ code: 'UNAUTHENTICATED', message: 'Sign in to continue.' })
    const mine = await projects.list(contextFor(database, alice), { limit: 100 })
    expect(mine.items.map((p) => p.name)).not.toContain('Sneaky')
  })

  test('not found: another user’s project, through get, update and delete', async () => {
    const project = await projects.create(contextFor(database, alice), { name: 'Alice only' })
    const { deps } = depsFor(bob)
    for (const op of [getProject, updateProject, deleteProject]) {
      const result = failed(await toAction(op, {}, deps)(null, form({ id: project.id, name: 'Bob was here' })))
      expect(result.error).toEqual({ code: 'NOT_FOUND', message: 'Project not found.' })
    }
    expect(await projects.get(contextFor(database, alice), { id: project.id })).toEqual(project)
  })

  test('forbidden: a token-scoped actor without the scope, and token management outside a session', async () => {
    // A real token of alice's, authenticated as the API would: her workspace and her role in it ride along.
    const { token } = await tokens.create(contextFor(database, alice), { name: 'Reader', scopes: ['projects:read'] })
    const reader = await tokens.authenticate(database.db, token, new Date())
    if (!reader) throw new Error('the token just made did not authenticate')
    const { deps } = depsFor(reader)
    expect(failed(await toAction(createProject, {}, deps)(null, form({ name: 'x' }))).error.code).toBe('FORBIDDEN')
    expect(failed(await toAction(createToken, {}, deps)(null, form({ name: 'x', scopes: 'projects:read' }))).error.code).toBe('FORBIDDEN')
  })

  test('a form’s repeated fields arrive as a list', async () => {
    const { deps } = depsFor(alice)
    const result = await toAction(createToken, {}, deps)(null, form({ name: 'Both', scopes: ['projects:read', 'projects:write'] }))
    expect(result.ok && result.data.apiToken.scopes).toEqual(['projects:read', 'projects:write'])
    await tokens.revoke(contextFor(database, alice), { id: result.ok ? result.data.apiToken.id : '' })
  })

  test('an unexpected failure: a generic message with a reference that is in the log, no internals', async () => {
    const exploding = operation({
      name: 'test.explode',
      summary: 'Fails the way a bug would',
      tag: 'Test',
      input: z.object({}),
      output: z.object({}),
      scope: null,
      role: null,
      run: async () => {
        throw new TypeError('cannot read properties of undefined (reading "secretColumn")')
      },
    })
    const { deps, logs } = depsFor(alice)
    const { error } = failed(await toAction(exploding, {}, deps)(null, form({})))
    expect(error.code).toBe('INTERNAL')
    expect(error.message).toMatch(/^Something went wrong on our side\. \(reference [0-9a-f-]{36}\)$/)
    expect(error.message).not.toContain('secretColumn')
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'action failed',
        fields: expect.objectContaining({ operation: 'test.explode', reference: error.reference }),
      },
    ])
  })

  test('framework control flow thrown inside an operation (notFound, redirect) passes through untouched', async () => {
    const signal = new RedirectSignal('/elsewhere')
    const redirecting = operation({
      name: 'test.redirect',
      summary: 'Redirects from inside',
      tag: 'Test',
      input: z.object({}),
      output: z.object({}),
      scope: null,
      role: null,
      run: async () => {
        throw signal
      },
    })
    const { deps, logs } = depsFor(alice)
    await expect(toAction(redirecting, {}, deps)(null, form({}))).rejects.toBe(signal)
    expect(logs).toEqual([])
  })

  test('the output schema shapes what is returned: fields it does not name never leave the server', async () => {
    const leaky = operation({
      name: 'test.leaky',
      summary: 'Returns more than it declares',
      tag: 'Test',
      input: z.object({}),
      output: z.object({ id: z.string() }),
      scope: null,
      role: null,
      run: async () => ({ id: 'p1', ownerPasswordHash: 'x' }),
    })
    const { deps } = depsFor(alice)
    expect(await toAction(leaky, {}, deps)(null, form({}))).toEqual({ ok: true, data: { id: 'p1' } })
  })
})
