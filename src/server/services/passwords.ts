// Passwords of e-mail accounts, kept where Better Auth keeps them (the `account` row of provider `credential`) and
// hashed by Better Auth's own hasher (handed in: services import no framework), so our services can check and change
// them inside their own transactions and Better Auth's sign-in still reads them.
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { account } from '../db/schema'
import type { PasswordHasher, ServiceContext } from './context'

// The same bounds as sign-up (auth/auth.ts); repeated here because services import nothing from auth/.
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

export const NewPassword = z
  .string({ error: 'Password is required.' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`)

export const CurrentPassword = z.string({ error: 'Enter your current password.' }).max(PASSWORD_MAX).default('')

const CREDENTIAL = 'credential'

/** Whether the account has a password at all (an account made through OAuth may not). */
export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  return (await storedHash(db, userId)) !== null
}

/** Whether `password` is the account's password; false for an account without one. */
export async function passwordMatches(db: Db, hasher: PasswordHasher, userId: string, password: string): Promise<boolean> {
  const hash = await storedHash(db, userId)
  if (!hash || password === '') return false
  return hasher.verify({ hash, password })
}

/** Sets the account's password (making its credential row if it has none), in the caller's transaction. */
export async function setPassword(tx: Db, hasher: PasswordHasher, userId: string, password: string, now: Date): Promise<void> {
  const hash = await hasher.hash(password)
  const updated = await tx
    .update(account)
    .set({ password: hash, updatedAt: now })
    .where(and(eq(account.userId, userId), eq(account.providerId, CREDENTIAL)))
    .returning({ id: account.id })
  if (updated.length) return
  await tx
    .insert(account)
    .values({ id: crypto.randomUUID(), accountId: userId, providerId: CREDENTIAL, userId, password: hash, createdAt: now, updatedAt: now })
}

async function storedHash(db: Db, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ password: account.password })
    .from(account)
    .where(and(eq(account.userId, userId), eq(account.providerId, CREDENTIAL)))
  return row?.password ?? null
}

/** The context's password hasher. */
export function hasherOf(ctx: Pick<ServiceContext, 'passwords'>): PasswordHasher {
  return ctx.passwords
}
