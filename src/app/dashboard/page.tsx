import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { unlessUnavailable } from '@/components/unavailable-page'
import { CreateWorkspaceForm } from '@/components/workspace-forms'
import { requireSession } from '@/server/runtime/next'
import * as workspaces from '@/server/services/workspaces'
import { createWorkspaceAction } from '../w/actions'

export const metadata: Metadata = { title: 'Dashboard' }

/** Where sign-in and sign-up land: the person's first workspace, or, with none, a form to make one. */
export default async function DashboardPage() {
  return unlessUnavailable('/dashboard', Dashboard)
}

async function Dashboard() {
  const ctx = await requireSession('/dashboard')
  const { items } = await workspaces.listMine(ctx)
  const first = items[0]
  if (first) redirect(`/w/${first.slug}`)
  return (
    <main className="narrow">
      <h1>Create a workspace</h1>
      <p>You are not in any workspace. Create one to start projects, or open an invitation someone sent you.</p>
      <section className="card" aria-label="New workspace">
        <CreateWorkspaceForm action={createWorkspaceAction} />
      </section>
    </main>
  )
}
