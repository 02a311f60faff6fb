// Accounts: who the caller is, as the app and the public API describe them.
import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { preparedOnce } from '../db/prepared'
import { apiTokens, user } from '../db/schema'
import { NotFound } from '../errors'
import { TIMESTAMP_MAX_LENGTH, UUID_LENGTH } from './bounds'
import { requireUserId, SCOPES, type ServiceContext } from './context'
import { ONE_LINE_PATTERN } from './text'

export const Me = z
  .object({
    // Sizes as sign-up and token creation enforce them (in code points, so published rather than re-checked here).
    user: z.object({
      id: z.string().meta({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
      email: z.email().meta({ maxLength: 254 }),
      name: z.string().meta({ maxLength: 100, pattern: ONE_LINE_PATTERN }),
    }),
    token: z
      .object({
        id: z.uuid().max(UUID_LENGTH),
        name: z.string().meta({ maxLength: 60, pattern: ONE_LINE_PATTERN }),
        scopes: z.array(z.enum(SCOPES)).max(SCOPES.length),
        expiresAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH).nullable(),
      })
      .nullable()
      .describe('the token making this request; null for a signed-in session'),
  })
  .meta({ id: 'Me' })
export type Me = z.infer<typeof Me>

// One round trip: the person, and the token making the request if there is one (a null token id joins nothing).
const meQuery = preparedOnce((db) =>
  db
    .select({
      person: { id: user.id, email: user.email, name: user.name },
      token: { id: apiTokens.id, name: apiTokens.name, expiresAt: apiTokens.expiresAt },
    })
    .from(user)
    .leftJoin(apiTokens, and(eq(apiTokens.id, sql.placeholder('tokenId')), eq(apiTokens.userId, user.id)))
    .where(eq(user.id, sql.placeholder('userId')))
    .prepare('me'),
)

export async function me(ctx: ServiceContext): Promise<Me> {
  const userId = requireUserId(ctx.actor)
  // A token's lookup already read all of it (and is kept as fresh as the token's own access): no query.
  if (ctx.actor.type === 'user' && ctx.actor.via === 'token' && ctx.actor.identity) {
    const { email, name, tokenName, expiresAt } = ctx.actor.identity
    return {
      user: { id: userId, email, name },
      token: { id: ctx.actor.tokenId, name: tokenName, scopes: [...ctx.actor.scopes], expiresAt: expiresAt?.toISOString() ?? null },
    }
  }
  const tokenId = ctx.actor.type === 'user' && ctx.actor.via === 'token' ? ctx.actor.tokenId : null
  const [row] = await meQuery(ctx.db).execute({ userId, tokenId })
  if (!row) throw new NotFound('User')
  if (ctx.actor.type !== 'user' || ctx.actor.via !== 'token') return { user: row.person, token: null }
  if (!row.token) throw new NotFound('Token')
  return {
    user: row.person,
    token: { ...row.token, scopes: [...ctx.actor.scopes], expiresAt: row.token.expiresAt?.toISOString() ?? null },
  }
}
