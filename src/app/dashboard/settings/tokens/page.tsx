import { redirect } from 'next/navigation'
import { unlessUnavailable } from '@/components/unavailable-page'
import { requireSession } from '@/server/runtime/next'
import * as workspaces from '@/server/services/workspaces'

/** Tokens moved into each workspace: an old bookmark opens the first workspace's tokens page. */
export default async function OldTokensPage() {
  return unlessUnavailable('/dashboard/settings/tokens', async () => {
    const ctx = await requireSession('/dashboard/settings/tokens')
    const [first] = (await workspaces.listMine(ctx)).items
    redirect(first ? `/w/${first.slug}/settings/tokens` : '/dashboard')
  })
}
