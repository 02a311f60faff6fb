// API tokens: minted once, stored only as a hash, limited by scopes, revocable. A token belongs to one workspace and
// the member who made it, and acts there with that member's current role: it stops working when they leave. Every
// member manages their own tokens; admins see and revoke all of the workspace's.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { preparedOnce } from '../db/prepared'
import { apiTokens, memberships, user } from '../db/schema'
import { NotFound, PlanLimit } from '../errors'
import { requireRole } from './access'
import { type Actor, requireSessionUser, roleAtLeast, SCOPES, type Scope, type ServiceContext } from './context'
import { parseInput } from './parse'
import { nameField } from './text'
import { announceAuthChange, type TokenCache } from './token-cache'
import type { TokenUsage } from './token-usage'

/** Every token starts with this, so a leaked one is easy to find with grep or a secret scanner. */
export const TOKEN_PREFIX = 'tf_'
const SECRET_BYTES = 24
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 6
export const ACTIVE_TOKENS_MAX = 50
export const EXPIRY_CHOICES_DAYS = [7, 30, 90, 365] as const

export const ApiToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('the first characters of the token, to tell tokens apart'),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    createdBy: z.string().nullable().describe('the name of the member who made it'),
  })
  .meta({ id: 'ApiToken' })
export type ApiToken = z.infer<typeof ApiToken>

export const CreateTokenInput = z.object({
  name: nameField('Name', 60),
  scopes: z
    .preprocess((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : v), z.array(z.enum(SCOPES, { error: 'Unknown scope.' })))
    .pipe(z.array(z.enum(SCOPES)).min(1, 'Choose at least one scope.'))
    .transform((s) => [...new Set(s)]),
  expiresInDays: z
    .preprocess((v) => (v === '' || v === 'never' ? undefined : v), z.coerce.number().int().min(1).max(365).optional())
    .describe('days until the token stops working; omitted: never expires'),
})
export const RevokeTokenInput = z.object({ id: z.string() })

type Row = typeof apiTokens.$inferSelect
const iso = (d: Date | null) => (d ? d.toISOString() : null)
function toApiToken(row: Row, createdBy: string | null = null): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    createdBy,
  }
}

/** How a secret handed out once (an API token, an invitation link) is stored: its SHA-256, never itself. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

// Only a person at the keyboard manages tokens: a token that could mint tokens would outlive its own revocation.
const MANAGED_IN_APP = 'API tokens can be managed'
const requireTokenManager = (ctx: ServiceContext) => {
  requireSessionUser(ctx.actor, MANAGED_IN_APP)
  return requireRole(ctx, 'member')
}

/** The caller's tokens in this workspace, or, for an admin, every member's. */
export async function list(ctx: ServiceContext): Promise<ApiToken[]> {
  const access = await requireTokenManager(ctx)
  const all = roleAtLeast(access.role, 'admin')
  const rows = await ctx.db
    .select({ token: apiTokens, createdBy: user.name })
    .from(apiTokens)
    .leftJoin(user, eq(user.id, apiTokens.userId))
    .where(and(eq(apiTokens.workspaceId, access.workspaceId), all ? undefined : eq(apiTokens.userId, access.userId)))
    .orderBy(desc(apiTokens.createdAt))
  return rows.map((r) => toApiToken(r.token, r.createdBy))
}

/** Mints a token. The plain token is in the result only: it cannot be shown again. */
export async function create(ctx: ServiceContext, input: z.input<typeof CreateTokenInput>): Promise<{ token: string; apiToken: ApiToken }> {
  const { workspaceId, userId } = await requireTokenManager(ctx)
  const { name, scopes, expiresInDays } = parseInput(CreateTokenInput, input)
  const now = ctx.now()
  const token = TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url')
  const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null
  // Count and insert under a lock on this member, held until the transaction ends: concurrent creates queue up
  // behind it, so none of them counts before another's insert is visible (without it, 80 at once made 61 of 50).
  const row = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`api-tokens:${workspaceId}:${userId}`}, 0))`)
    const active = await tx.$count(
      apiTokens,
      and(
        eq(apiTokens.workspaceId, workspaceId),
        eq(apiTokens.userId, userId),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    )
    if (active >= ACTIVE_TOKENS_MAX) throw new PlanLimit(`You can have at most ${ACTIVE_TOKENS_MAX} active tokens. Revoke one first.`)
    const [inserted] = await tx
      .insert(apiTokens)
      .values({
        workspaceId,
        userId,
        name,
        scopes,
        prefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
        hash: hashSecret(token),
        createdAt: now,
        expiresAt,
      })
      .returning()
    if (!inserted) throw new Error('insert returned no row')
    return inserted
  })
  const [creator] = await ctx.db.select({ name: user.name }).from(user).where(eq(user.id, userId))
  return { token, apiToken: toApiToken(row, creator?.name ?? null) }
}

export async function revoke(ctx: ServiceContext, input: z.input<typeof RevokeTokenInput>): Promise<ApiToken> {
  const access = await requireTokenManager(ctx)
  const { id } = parseInput(RevokeTokenInput, input)
  if (!z.uuid().safeParse(id).success) throw new NotFound('Token')
  // A member reaches their own tokens only (another's is NOT_FOUND, as in their list); an admin, the workspace's.
  const mine = and(
    eq(apiTokens.id, id),
    eq(apiTokens.workspaceId, access.workspaceId),
    roleAtLeast(access.role, 'admin') ? undefined : eq(apiTokens.userId, access.userId),
  )
  // Revoking twice is not an error: the second call finds it already revoked and changes nothing.
  const row = await ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiTokens)
      .set({ revokedAt: ctx.now() })
      .where(and(mine, isNull(apiTokens.revokedAt)))
      .returning()
    if (revoked) await announceAuthChange(tx)
    return revoked
  })
  if (row) return toApiToken(row)
  const [existing] = await ctx.db.select().from(apiTokens).where(mine)
  if (!existing) throw new NotFound('Token')
  return toApiToken(existing)
}

// Last-used is informational: writing it at most once a minute keeps a busy token from turning reads into writes.
const LAST_USED_RESOLUTION_MS = 60_000

/** The token lookup: the hottest query of the API, so it is not rebuilt per request. */
const tokenLookup = preparedOnce((db) =>
  db
    .select({
      id: apiTokens.id,
      hash: apiTokens.hash,
      userId: apiTokens.userId,
      workspaceId: apiTokens.workspaceId,
      scopes: apiTokens.scopes,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      tokenName: apiTokens.name,
      role: memberships.role,
      email: user.email,
      name: user.name,
    })
    .from(apiTokens)
    .innerJoin(memberships, and(eq(memberships.workspaceId, apiTokens.workspaceId), eq(memberships.userId, apiTokens.userId)))
    .innerJoin(user, eq(user.id, apiTokens.userId))
    .where(eq(apiTokens.hash, sql.placeholder('hash')))
    .prepare('api_token_lookup'),
)

/**
 * The actor a presented token stands for, or null if it is unknown, revoked or expired, or its creator is no longer a
 * member of its workspace. The role is read with the token, in the request that presents it — or, with a `cache`,
 * remembered until the next announced change (see token-cache.ts). Its last-used time is written at most once a
 * minute: at once, or, with a `usage` recorder, in the recorder's next batch (token-usage.ts).
 */
export async function authenticate(db: Db, presented: string, now: Date, cache?: TokenCache, usage?: TokenUsage): Promise<Actor | null> {
  if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 200) return null
  const hash = hashSecret(presented)
  const at = now.getTime()
  let found = cache?.get(hash, at)
  if (!found) {
    const ticket = cache?.ticket() ?? 0
    const [row] = await tokenLookup(db).execute({ hash })
    // The lookup is by hash, so timing reveals nothing of the token; the explicit comparison guards the match itself.
    if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash)) || row.revokedAt) return null
    const scopes = row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s))
    found = {
      actor: {
        type: 'user',
        userId: row.userId,
        via: 'token',
        tokenId: row.id,
        scopes,
        workspaceId: row.workspaceId,
        role: row.role,
        identity: { email: row.email, name: row.name, tokenName: row.tokenName, expiresAt: row.expiresAt },
      },
      expiresAt: row.expiresAt,
      lastUsedAt: row.lastUsedAt,
    }
    cache?.store(hash, found, ticket, at)
  }
  if (found.expiresAt && found.expiresAt <= now) return null
  if (!found.lastUsedAt || at - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    found.lastUsedAt = now
    if (usage) usage.record(found.actor.tokenId, now)
    else await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, found.actor.tokenId))
  }
  return found.actor
}
