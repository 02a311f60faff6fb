// Every operation in the registry, adapted by toAction, called with what Next lets a client send instead of a form: a
// `text/plain` action call carries JSON arguments, so the submitted value can be an object (even one the operation's
// schema accepts), an array, null, a number, a string, or missing altogether. Each is VALIDATION, refused before the
// session is read, with nothing written, revalidated or redirected. A new operation is covered the moment it is
// registered. (tests/http/action-arguments.test.ts makes the same calls through real HTTP, for every action id the
// production build has, including the actions not built from an operation.)
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { deleteAccount } from '../../src/server/operations/account-settings'
import { createProject } from '../../src/server/operations/projects'
import { allOperations } from '../../src/server/operations/registry'
import { createToken } from '../../src/server/operations/tokens'
import { type ActionDeps, toAction } from '../../src/server/transports/to-action'
import { captureLogger, type LogLine } from '../support/api'
import { contextFor, createTestDatabase, createUser, domainRows, personalWorkspace, sessionActor } from '../support/db'
import { formOf } from '../support/forms'
import { makePro } from '../support/plans'
import { sampleInput } from '../support/samples'

let database: Database
let userId: string
let slug: string

beforeAll(async () => {
  database = await createTestDatabase()
  userId = await createUser(database, 'Alice')
  slug = personalWorkspace(userId)
  // Pro, so that no plan limit could be what refuses a create.
  await makePro(database, slug)
})
afterAll(() => database.close())

/** Everything the adapter could have done: each session it resolved, each path revalidated, each redirect, each log line. */
function recordingDeps() {
  const did = { contexts: 0, revalidated: [] as string[], redirects: [] as string[], logs: [] as LogLine[] }
  const deps: ActionDeps = {
    context: async (workspace) => {
      did.contexts++
      return contextFor(database, sessionActor(userId), undefined, workspace)
    },
    revalidatePath: (path) => did.revalidated.push(path),
    redirect: (url) => {
      did.redirects.push(url)
      throw new Error(`redirected to ${url}`)
    },
    passThrough: () => {},
    log: captureLogger(did.logs),
  }
  return { deps, did }
}

/** The argument an action receives for each JSON body a client can post (`[previous, submitted]`). */
const NOT_A_FORM: [string, (input: Record<string, unknown>) => unknown][] = [
  ['a JSON object the schema accepts', (input) => input],
  ['an array holding that object', (input) => [input]],
  ['an empty array', () => []],
  ['null', () => null],
  ['nothing (the body `[]`)', () => undefined],
  ['a number', () => 1],
  ['zero', () => 0],
  ['a string', () => 'x'],
  ['an empty string', () => ''],
  ['a boolean', () => true],
]

const REFUSED = {
  ok: false,
  error: { code: 'VALIDATION', message: 'Expected a form submission.', fieldErrors: {} },
  values: {},
}

describe('every operation as an action, called with anything but a form', () => {
  test.each(allOperations.map((op) => [op.name, op] as const))('%s: VALIDATION every time, and nothing done', async (_name, op) => {
    const { deps, did } = recordingDeps()
    const action = toAction(op, { revalidate: () => ['/dashboard'], redirectTo: () => '/dashboard' }, deps)
    const input = { ...sampleInput(op), workspace: slug }
    const before = await domainRows(database)
    for (const [label, submitted] of NOT_A_FORM) {
      expect({ label, result: await action(null, submitted(input)) }).toEqual({ label, result: REFUSED })
    }
    expect(did).toEqual({ contexts: 0, revalidated: [], redirects: [], logs: [] })
    expect(await domainRows(database)).toEqual(before)
  })
})

describe('the calls the issue reported', () => {
  test('deleting the account with the confirmation as JSON keeps the account; the same as a form deletes it', async () => {
    const email = `${userId}@example.test`
    const { deps } = recordingDeps()
    const remove = toAction(deleteAccount, {}, deps)
    const before = await domainRows(database)
    expect(await remove(null, { password: '', confirm: email })).toEqual(REFUSED)
    expect(await domainRows(database)).toEqual(before)
    // The same values posted as a form do what they say: the refusal above was the format, not the values.
    const other = await createUser(database, 'Bob')
    const { deps: bobs } = recordingDeps()
    const removeBob = toAction(deleteAccount, {}, { ...bobs, context: async () => contextFor(database, sessionActor(other)) })
    expect(await removeBob(null, formOf({ confirm: `${other}@example.test` }))).toMatchObject({ ok: true, data: { id: other } })
  })

  test('creating a project or a token from a JSON object creates nothing', async () => {
    const { deps } = recordingDeps()
    const before = await domainRows(database)
    expect(await toAction(createProject, {}, deps)(null, { workspace: slug, name: 'From JSON' })).toEqual(REFUSED)
    expect(await toAction(createToken, {}, deps)(null, { workspace: slug, name: 'From JSON', scopes: ['projects:read'] })).toEqual(REFUSED)
    expect(await domainRows(database)).toEqual(before)
  })
})
