import type { Metadata } from 'next'
import { unlessUnavailable } from '@/components/unavailable-page'
import { CreateWorkspaceForm } from '@/components/workspace-forms'
import { requireSession } from '@/server/runtime/next'
import { createWorkspaceAction } from '../actions'

export const metadata: Metadata = { title: 'New workspace' }

export default async function NewWorkspacePage() {
  return unlessUnavailable('/w/new', async () => {
    await requireSession('/w/new')
    return (
      <main className="narrow">
        <h1>New workspace</h1>
        <p>A workspace holds projects and API tokens, shared with the people you invite.</p>
        <section className="card" aria-label="New workspace">
          <CreateWorkspaceForm action={createWorkspaceAction} />
        </section>
      </main>
    )
  })
}
