// Server actions through real HTTP against the production server (server.js over the build), called the ways a
// browser never calls them. Every action id the build has (read from its server-reference manifest, so a new action
// is covered the moment it exists) is called with JSON arguments by a signed-in person: no 5xx, and nothing happens —
// the account is still there and still signed in, and no row anywhere has changed. An action called from another
// origin (or an opaque `null` one) is 403 with nothing written and a warning in the log that names the origin.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db/client'
import { PASSWORD } from '../support/accounts'
import { domainRows } from '../support/db'
import { signUpThroughForm, submitForm } from '../support/forms'
import { isPostgresRun } from '../support/postgres'
import { expectProblem } from '../support/problem'
import { type RunningServer, startServer, throwawayPostgres } from '../support/server'

const ROOT = path.resolve(import.meta.dirname, '../..')

type ManifestEntry = { exportedName?: string; workers: Record<string, unknown> }
/** Every server action of the build: its id, its name, and the pages that can run it. */
const manifest: Record<string, ManifestEntry> = JSON.parse(
  readFileSync(path.join(ROOT, '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
).node
const actions = Object.entries(manifest).map(([id, entry]) => ({ id, name: entry.exportedName ?? id, workers: Object.keys(entry.workers) }))

let env: Record<string, string | undefined>
let dropDatabase: () => Promise<void>
let server: RunningServer
let email: string
let slug: string
let cookie: string

/** The server's database, opened while the server is stopped (an embedded PGlite has one process at a time). */
async function withServerStopped<T>(read: (database: Database) => Promise<T>): Promise<T> {
  await server.stop()
  const database = await openDatabase(
    isPostgresRun() ? { kind: 'postgres', url: env.DATABASE_URL ?? '' } : { kind: 'pglite', dataDir: env.PGLITE_DIR ?? null },
  )
  try {
    return await read(database)
  } finally {
    await database.close()
    server = await startServer({ env })
  }
}

beforeAll(async () => {
  if (isPostgresRun()) {
    const fresh = await throwawayPostgres()
    env = { DATABASE_URL: fresh.url }
    dropDatabase = fresh.drop
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'twofold-http-actions-'))
    env = { DATABASE_URL: undefined, PGLITE_DIR: dir }
    dropDatabase = async () => rmSync(dir, { recursive: true, force: true })
  }
  server = await startServer({ env })
  // A real person with a password, signed up through the form; the session cookie is the one the server set.
  ;({ email, cookie } = await signUpThroughForm(server, 'Action Caller'))
  slug = (await signedInAs()).slug
})
afterAll(async () => {
  await server?.stop()
  await dropDatabase?.()
})

/** Who the session cookie signs in (null if nobody), and the slug of their workspace, read from the dashboard. */
async function signedInAs(): Promise<{ email: string | null; slug: string }> {
  const session = await (await fetch(`${server.url}/api/auth/get-session`, { headers: { Cookie: cookie } })).json()
  const dashboard = await (await fetch(`${server.url}/dashboard`, { headers: { Cookie: cookie } })).text()
  return { email: session?.user?.email ?? null, slug: dashboard.match(/href="\/w\/([a-z0-9-]+)"/)?.[1] ?? '' }
}

/** A page that runs the action (one without parameters if it has one), with the person's workspace filled in. */
function pageFor(workers: string[]): string {
  const paths = workers.map(
    (worker) =>
      worker
        .replace(/^app/, '')
        .replace(/\/page$/, '')
        .replaceAll(/\/\([^)]*\)/g, '') || '/',
  )
  const chosen = paths.find((p) => !p.includes('[')) ?? paths[0] ?? '/'
  return chosen.replace('[slug]', slug).replaceAll(/\[[^\]]+\]/g, 'x')
}

/** Calls action `id` as `fetch` with a JSON body (what Next accepts as `text/plain`), signed in, from this site. */
function callWithJson(id: string, page: string, body: string, origin = server.url) {
  return fetch(`${server.url}${page}`, {
    method: 'POST',
    headers: { 'Next-Action': id, 'Content-Type': 'text/plain;charset=UTF-8', Origin: origin, Cookie: cookie },
    body,
    redirect: 'manual',
  })
}

/**
 * What an action returned, from the RSC payload's row after the header (`0:…`, then `1:<result>`); a thrown error
 * is a row `1:E{"digest":…}`, kept as text so that the assertion shows it.
 */
function actionResult(payload: string): unknown {
  const row =
    payload
      .split('\n')
      .find((line) => line.startsWith('1:'))
      ?.slice(2) ?? payload
  try {
    return JSON.parse(row)
  } catch {
    return row
  }
}

/** Everything a form's fields could hold, as JSON: each value an action would act on if it took JSON for a form. */
const everyField = () => ({
  email,
  password: PASSWORD,
  confirm: email,
  name: 'From JSON',
  workspace: slug,
  slug: 'from-json',
  scopes: 'projects:read',
  role: 'member',
  next: '/dashboard',
  back: '/dashboard',
})

/** React sends an argument list; these are argument lists no browser sends. The action gets VALIDATION (or, a plain form action, nothing). */
const argumentLists = () => [
  JSON.stringify([null, everyField()]),
  JSON.stringify([everyField()]),
  JSON.stringify([null, [everyField()]]),
  '[]',
  '[null,null]',
  '[null,"x"]',
  '[null,1]',
]
/** And these are not argument lists at all: the server answers 422 before Next tries to apply them. */
const notLists = ['"x"', '1', 'null', '{}', '']

const REFUSED = { ok: false, error: { code: 'VALIDATION', message: 'Expected a form submission.', fieldErrors: {} }, values: {} }
/** Plain `<form action>` actions: React gives them no result to return, so for anything but a form they return nothing. */
const PLAIN_FORM_ACTIONS = new Set(['signOutAction', 'dismissVerifyNoticeAction'])

describe('every server action of the build, called with JSON arguments', () => {
  it('is each action of the manifest: no 5xx, VALIDATION or nothing, no cookie set, the account intact, no row changed', async () => {
    expect(actions.length).toBeGreaterThan(30)
    const before = await withServerStopped(domainRows)
    const answers: { action: string; body: string; status: number; result?: unknown; setCookie: string[] }[] = []
    for (const { id, name, workers } of actions) {
      const page = pageFor(workers)
      for (const body of argumentLists()) {
        const response = await callWithJson(id, page, body)
        const text = await response.text()
        answers.push({
          action: name,
          body,
          status: response.status,
          result: actionResult(text),
          setCookie: response.headers.getSetCookie(),
        })
      }
      for (const body of notLists) {
        const response = await callWithJson(id, page, body)
        await expectProblem(response, 'VALIDATION', "A server action's arguments are a list.")
      }
    }
    for (const answer of answers) {
      const expected = PLAIN_FORM_ACTIONS.has(answer.action) ? '$undefined' : REFUSED
      expect(answer).toEqual({ action: answer.action, body: answer.body, status: 200, result: expected, setCookie: [] })
    }
    expect(await withServerStopped(domainRows)).toEqual(before)
    // After the comparison: asking who is signed in counts against Better Auth's own throttle, a row like any other.
    expect((await signedInAs()).email).toBe(email)
  })
})

describe('a server action from another origin', () => {
  const newProject = (name: string, origin: string) =>
    submitForm(server, `/w/${slug}`, { name, workspace: slug }, { headers: { Cookie: cookie, Origin: origin }, within: 'name="name"' })
  const projectsPage = async () => (await fetch(`${server.url}/w/${slug}`, { headers: { Cookie: cookie } })).text()

  it.each(['http://evil.example', 'null'])(
    'Origin %s: a form posted without JavaScript is 403, creates nothing, and the log says why',
    async (origin) => {
      const name = `Cross-site ${origin}`
      const response = await newProject(name, origin)
      await expectProblem(response, 'FORBIDDEN', 'Server actions are accepted only from pages of this site.')
      expect(await projectsPage()).not.toContain(name)
      const warnings = server
        .output()
        .split('\n')
        .filter((line) => line.includes('server action from another origin refused'))
        .map((line) => JSON.parse(line))
      expect(warnings.at(-1)).toMatchObject({ level: 'warn', origin, path: `/w/${slug}` })
    },
  )

  it('Origin null on a call from JavaScript (Next-Action) is 403 too', async () => {
    const createProject = actions.find((action) => action.name === 'createProjectAction')
    if (!createProject) throw new Error('no createProjectAction in the build')
    const response = await callWithJson(createProject.id, `/w/${slug}`, JSON.stringify([null, everyField()]), 'null')
    await expectProblem(response, 'FORBIDDEN', 'Server actions are accepted only from pages of this site.')
  })

  it('the same form from this site creates the project (the refusal above was the origin, not the form)', async () => {
    const response = await newProject('Same-site', server.url)
    expect(response.status).toBeLessThan(400)
    expect(await projectsPage()).toContain('Same-site')
  })
})
