// The benchmark's data: a fresh PostgreSQL database (on the DATABASE_URL server), one user whose personal workspace
// has 20 projects, and enough API tokens that the per-token rate limit never answers 429 under load.
import { randomBytes } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { openDatabase } from '../../../src/server/db/client'
import { apiTokens, memberships, workspaces } from '../../../src/server/db/schema'
import { SCOPES } from '../../../src/server/services/context'
import * as projects from '../../../src/server/services/projects'
import { hashSecret, TOKEN_PREFIX } from '../../../src/server/services/tokens'
import { contextFor, sessionActor } from '../../support/db'
import { makePro } from '../../support/plans'
import { throwawayPostgres } from '../../support/server'
import { signUp } from './action'

export const PROJECTS = 20
/** The production budget (src/server/runtime.ts createLimits): 600 requests a minute per token. */
export const POINTS_PER_TOKEN_PER_MINUTE = 600

export type Seeded = {
  url: string
  userId: string
  workspaceSlug: string
  /** The user's session cookie (name=value), for pages and server actions. */
  cookie: string
  /** `Bearer …` values, used round-robin by the load generator. */
  authorizations: string[]
  drop(): Promise<void>
}

/**
 * Tokens for `maxRequestsPerSecond` across every server that counts against the same limiter within one minute
 * (the limiter's window), with a margin of 2: a run that hits 429 is rejected, so the budget must never be the limit.
 */
export function tokensFor(maxRequestsPerSecond: number): number {
  return Math.ceil((maxRequestsPerSecond * 60 * 2) / POINTS_PER_TOKEN_PER_MINUTE)
}

export async function seed(tokenCount: number): Promise<Seeded> {
  // Named so a leftover one is recognisably the bench's.
  const target = await throwawayPostgres('twofold_bench_http')
  // Opening migrates it: the servers started on it find it current.
  const database = await openDatabase({ kind: 'postgres', url: target.url })
  try {
    // Signed up as a person signs up (Better Auth, the personal workspace made by its hook), for a session cookie.
    const { userId, cookie } = await signUp(database.db)
    const [workspace] = await database.db
      .select({ id: workspaces.id, slug: workspaces.slug })
      .from(workspaces)
      .innerJoin(memberships, eq(memberships.workspaceId, workspaces.id))
      .where(eq(memberships.userId, userId))
    if (!workspace) throw new Error('personal workspace not found')
    const workspaceSlug = workspace.slug
    const ctx = contextFor(database, sessionActor(userId), undefined, workspaceSlug)
    // Pro: the benchmark creates far more than Free's three projects (its action round creates one per request).
    await makePro(database, workspaceSlug)
    for (let i = 0; i < PROJECTS; i++) await projects.create(ctx, { name: `Project ${i}`, description: `Benchmark project ${i}` })
    // Inserted as tokens.create stores them (prefix, SHA-256, every scope) rather than through it: the service caps a
    // member at 50 active tokens, fewer than a fast server needs to stay under 600 a minute each.
    const plain = Array.from({ length: tokenCount }, () => TOKEN_PREFIX + randomBytes(24).toString('base64url'))
    await database.db.insert(apiTokens).values(
      plain.map((token, i) => ({
        workspaceId: workspace.id,
        userId,
        name: `bench ${i}`,
        scopes: [...SCOPES],
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        hash: hashSecret(token),
      })),
    )
    // Vacuumed and analysed now, while nothing is measured: else autovacuum finds the freshly written tables within
    // its minute's nap and works on them beside the start-ups and the first rounds.
    await database.db.execute(sql`vacuum analyze`)
    await database.close()
    return { url: target.url, userId, workspaceSlug, cookie, authorizations: plain.map((token) => `Bearer ${token}`), drop: target.drop }
  } catch (error) {
    await database.close().catch(() => {})
    await target.drop()
    throw error
  }
}
