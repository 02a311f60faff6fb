// Which ways a person can sign in: a password, or only providers (GitHub, Google, OpenID Connect).
import { and, eq, isNotNull } from 'drizzle-orm'
import type { Db } from '../db/client'
import { account } from '../db/schema'

/**
 * Whether the account has a password (Better Auth's 'credential' account). An account made by OAuth sign-in has
 * none: what asks for "your password" to confirm (deleting the account, say) must ask it another way.
 */
export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  const [found] = await db
    .select({ id: account.id })
    .from(account)
    .where(and(eq(account.userId, userId), eq(account.providerId, 'credential'), isNotNull(account.password)))
    .limit(1)
  return found !== undefined
}
