// What the cluster properties share: the cluster's database opened as an instance opens it (through PgBouncer in
// transaction mode), people signed up with a session cookie the instances accept, tokens, and a tally of outcomes.
import { eq } from 'drizzle-orm'
import type { Cluster } from '../../scripts/cluster'
import { createAuth } from '../../src/server/auth/auth'
import { type Database, openDatabase } from '../../src/server/db/client'
import { memberships, workspaces } from '../../src/server/db/schema'
import type { Scope } from '../../src/server/services/context'
import * as tokens from '../../src/server/services/tokens'
import { contextFor, sessionActor } from '../support/db'
import { cookieHeaderFrom } from '../support/forms'
import { makePro } from '../support/plans'

/** The instances' BETTER_AUTH_SECRET: cookies signed here are accepted there. */
export const CLUSTER_AUTH_SECRET = 'cluster-secret-cluster-secret-0123456789abcdef'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The cluster's database the way its instances open it: the pool through PgBouncer, LISTEN and migrations direct. */
export function openClusterDatabase(cluster: Cluster): Promise<Database> {
  return openDatabase({ kind: 'postgres', url: cluster.poolUrl, directUrl: cluster.directUrl, poolMode: 'transaction' })
}

export type Person = { userId: string; slug: string; cookie: string }

let people = 0

/** Signs a person up as the sign-up action does (Better Auth, personal workspace by its hook), on Pro. */
export async function signUp(database: Database, cluster: Cluster): Promise<Person> {
  const auth = createAuth(database.db, { appUrl: cluster.url, authSecret: CLUSTER_AUTH_SECRET, env: 'production' })
  const email = `cluster-${process.pid}-${Date.now()}-${people++}@example.test`
  const { headers, response } = await auth.api.signUpEmail({
    body: { name: 'Cluster Person', email, password: 'cluster-password-0123' },
    returnHeaders: true,
  })
  const cookie = cookieHeaderFrom(headers)
  const [workspace] = await database.db
    .select({ slug: workspaces.slug })
    .from(workspaces)
    .innerJoin(memberships, eq(memberships.workspaceId, workspaces.id))
    .where(eq(memberships.userId, response.user.id))
  if (!workspace) throw new Error('sign-up made no personal workspace')
  // More projects and larger files than Free allows.
  await makePro(database, workspace.slug)
  return { userId: response.user.id, slug: workspace.slug, cookie }
}

const ALL_SCOPES: Scope[] = ['projects:read', 'projects:write', 'files:read', 'files:write']

export async function mintToken(database: Database, person: Person, name = 'cluster'): Promise<{ token: string; id: string }> {
  const ctx = contextFor(database, sessionActor(person.userId), undefined, person.slug)
  const { token, apiToken } = await tokens.create(ctx, { name, scopes: ALL_SCOPES })
  return { token, id: apiToken.id }
}

/** Every request's outcome: a failure is a 5xx or no answer at all; other statuses are kept by kind. */
export class Tally {
  requests = 0
  ok = 0
  readonly statuses = new Map<string, number>()
  readonly failures: string[] = []

  async send(kind: string, url: string, init: RequestInit = {}, expected: number[] = [200]): Promise<Response | null> {
    this.requests++
    try {
      const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) })
      const key = `${kind} ${response.status}`
      this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1)
      if (response.status >= 200 && response.status < 300) this.ok++
      if (response.status >= 500) this.failures.push(`${kind}: ${response.status} ${(await response.text()).slice(0, 200)}`)
      else if (!expected.includes(response.status))
        this.failures.push(`${kind}: unexpected ${response.status} ${(await response.clone().text()).slice(0, 200)}`)
      return response
    } catch (error) {
      this.failures.push(
        `${kind}: ${error instanceof Error ? `${error.name}: ${error.message} ${String(error.cause ?? '')}` : String(error)}`,
      )
      return null
    }
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

/** A property's result: its figures, and what broke it (empty when it holds). */
export type PropertyResult = { name: string; holds: boolean; figures: Record<string, unknown>; failures: string[] }
