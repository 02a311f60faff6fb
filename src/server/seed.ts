// The demo account a fresh development database starts with, so the app can be tried at once.
import { eq } from 'drizzle-orm'
import type { Auth } from './auth/auth'
import { user } from './db/schema'
import { log } from './log'
import { buildContext, type ContextDeps } from './services/context'
import * as projects from './services/projects'
import * as workspaces from './services/workspaces'

export const DEMO_ACCOUNT = { email: 'demo@twofold.dev', password: 'twofold-demo', name: 'Demo User' } as const

export async function seedDemo({ auth, deps }: { auth: Auth; deps: ContextDeps }): Promise<void> {
  const { db } = deps
  const [existing] = await db.select({ id: user.id }).from(user).where(eq(user.email, DEMO_ACCOUNT.email))
  if (!existing) {
    const { user: created } = await auth.api.signUpEmail({ body: { ...DEMO_ACCOUNT } })
    // The demo address is no one's mailbox: it counts as confirmed, so the notice does not nag whoever tries the app.
    await db.update(user).set({ emailVerified: true }).where(eq(user.id, created.id))
    const actor = { type: 'user', userId: created.id, via: 'session' } as const
    const [personal] = (await workspaces.listMine(buildContext(actor, deps))).items
    const ctx = buildContext(actor, deps, personal?.slug)
    await projects.create(ctx, { name: 'Welcome to Twofold', description: 'Rename me, describe me, or delete me.' })
    await projects.create(ctx, { name: 'Mobile app', description: 'Create an API token in Settings to reach this from the API.' })
  }
  // Never the password: a log line outlives the environment it was written in. Development shows it on /sign-in.
  log.info('demo account ready', { email: DEMO_ACCOUNT.email })
}
