// Accounts: who the caller is, as the app and the public API describe them.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { apiTokens, user } from '../db/schema'
import { NotFound } from '../errors'
import { requireUserId, SCOPES, type ServiceContext } from './context'

export const Me = z
  .object({
    user: z.object({ id: z.string(), email: z.email(), name: z.string() }),
    token: z
      .object({ id: z.uuid(), name: z.string(), scopes: z.array(z.enum(SCOPES)), expiresAt: z.iso.datetime().nullable() })
      .nullable()
      .describe('the token making this request; null for a signed-in session'),
  })
  .meta({ id: 'Me' })
export type Me = z.infer<typeof Me>

export async function me(ctx: ServiceContext): Promise<Me> {
  const userId = requireUserId(ctx.actor)
  const [person] = await ctx.db.select({ id: user.id, email: user.email, name: user.name }).from(user).where(eq(user.id, userId))
  if (!person) throw new NotFound('User')
  if (ctx.actor.type !== 'user' || ctx.actor.via !== 'token') return { user: person, token: null }
  const [token] = await ctx.db
    .select({ id: apiTokens.id, name: apiTokens.name, expiresAt: apiTokens.expiresAt })
    .from(apiTokens)
    .where(eq(apiTokens.id, ctx.actor.tokenId))
  if (!token) throw new NotFound('Token')
  return { user: person, token: { ...token, scopes: [...ctx.actor.scopes], expiresAt: token.expiresAt?.toISOString() ?? null } }
}
