// Puts a workspace on a plan directly, as the billing worker would after Stripe's events: its billing row's status
// decides the plan (services/plans.ts). For tests of what a plan allows, not of how the status arrives.
import { eq } from 'drizzle-orm'
import type { Database } from '../../src/server/db/client'
import { workspaceBilling, workspaces } from '../../src/server/db/schema'

/** Sets the workspace's subscription status (`active`: Pro; `canceled` or null: Free). */
export async function setSubscriptionStatus(database: Database, slug: string, status: string | null): Promise<void> {
  const [workspace] = await database.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug))
  if (!workspace) throw new Error(`no workspace ${slug}`)
  await database.db
    .insert(workspaceBilling)
    .values({ workspaceId: workspace.id, status })
    .onConflictDoUpdate({ target: workspaceBilling.workspaceId, set: { status } })
}

/** Makes the workspace Pro, so a test may create more than Free's three projects or members. */
export const makePro = (database: Database, slug: string) => setSubscriptionStatus(database, slug, 'active')
