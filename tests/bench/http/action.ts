// The server-action round trip: the create-project action posted as the browser posts it (React's encodeReply of
// [previous state, FormData], the Next-Action header with the id from the build's manifest, the session cookie),
// against what a client doing the same in two steps pays: POST /api/v1/projects, then the page's RSC render.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { createAuth } from '../../../src/server/auth/auth'
import type { Db } from '../../../src/server/db/client'
import { cookieHeaderFrom } from '../../support/forms'
import { BENCH_AUTH_SECRET, ROOT } from './servers'

/** Signs a new person up in process (with the secret the app is started with, so the cookie verifies there), as the sign-up action does (Better Auth, personal workspace by its hook). */
export async function signUp(db: Db): Promise<{ userId: string; cookie: string }> {
  const auth = createAuth(db, { appUrl: 'http://127.0.0.1', authSecret: BENCH_AUTH_SECRET, env: 'production' })
  const email = `bench-${Date.now()}@example.test`
  const { headers, response } = await auth.api.signUpEmail({
    body: { name: 'Bench User', email, password: 'bench-password-0123' },
    returnHeaders: true,
  })
  const cookie = cookieHeaderFrom(headers)
  if (!cookie.includes('session_token')) throw new Error('sign-up set no session cookie')
  return { userId: response.user.id, cookie }
}

type Manifest = { node: Record<string, { workers: Record<string, unknown>; exportedName: string; filename: string }> }

/**
 * The action's id in this build, for the page route that renders its form (e.g. `app/w/[slug]/page`), and that
 * page's URL with the workspace's slug filled in. The manifest lists, for each action, every page bundling it.
 */
export function findAction(exportedName: string, pageRoute: string, workspaceSlug: string): { id: string; page: string } {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(ROOT, '.next/server/server-reference-manifest.json'), 'utf8'))
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName !== exportedName || !(pageRoute in entry.workers)) continue
    const page = `/${pageRoute}`
      .replace(/^\/app/, '')
      .replace(/\/page$/, '')
      .replace(/\/\([^)]+\)/g, '')
      .replace(/\[[^\]]+\]/, workspaceSlug)
    return { id, page: page || '/' }
  }
  throw new Error(`no server action ${exportedName} used by ${pageRoute} in .next/server/server-reference-manifest.json`)
}

// React's client-side encoder, the one the browser bundle uses to post action arguments.
const { encodeReply } = createRequire(import.meta.url)('next/dist/compiled/react-server-dom-turbopack/client.node.js') as {
  encodeReply(value: unknown): Promise<string | FormData>
}

/** Posts the action as the browser's router does: the answer is the action's result and the re-rendered page (RSC). */
export async function postAction(baseUrl: string, action: { id: string; page: string }, cookie: string, fields: Record<string, string>) {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  const body = await encodeReply([null, form])
  const response = await fetch(baseUrl + action.page, {
    method: 'POST',
    headers: { 'Next-Action': action.id, Accept: 'text/x-component', Cookie: cookie, Origin: baseUrl },
    body,
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`action answered ${response.status}: ${text.slice(0, 500)}`)
  return text
}
