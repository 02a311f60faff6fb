import type { Metadata } from 'next'
import { unlessUnavailable } from '@/components/unavailable-page'
import { ChangeSlugForm, DeleteWorkspaceForm, LeaveWorkspaceForm, RenameWorkspaceForm } from '@/components/workspace-forms'
import { changeWorkspaceSlugAction, deleteWorkspaceAction, leaveWorkspaceAction, renameWorkspaceAction } from '../../actions'
import { currentWorkspace } from '../current'

export const metadata: Metadata = { title: 'Workspace settings' }

export default async function SettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/settings`, () => Settings(slug))
}

async function Settings(slug: string) {
  const { workspace } = await currentWorkspace(slug, `/w/${slug}/settings`)
  const owner = workspace.role === 'owner'
  return (
    <main className="medium">
      <h1>Workspace settings</h1>
      <section className="card" aria-labelledby="name">
        <h2 id="name">Name</h2>
        {owner ? (
          <RenameWorkspaceForm action={renameWorkspaceAction} workspace={workspace} />
        ) : (
          <ReadOnly label="Workspace name" value={workspace.name} />
        )}
      </section>
      <section className="card" aria-labelledby="address">
        <h2 id="address">Address</h2>
        {owner ? (
          <ChangeSlugForm action={changeWorkspaceSlugAction} workspace={workspace} />
        ) : (
          <ReadOnly label="Address" value={`/w/${workspace.slug}`} />
        )}
      </section>
      <section className="card" aria-labelledby="delete">
        <h2 id="delete">Delete workspace</h2>
        {owner ? (
          <DeleteWorkspaceForm action={deleteWorkspaceAction} workspace={workspace} />
        ) : (
          <p>Deleting the workspace removes all its projects and API tokens. Only an owner can do it.</p>
        )}
      </section>
      <section className="card" aria-labelledby="leave">
        <h2 id="leave">Leave workspace</h2>
        <LeaveWorkspaceForm action={leaveWorkspaceAction} workspace={workspace} />
      </section>
    </main>
  )
}

function ReadOnly({ label, value }: { label: string; value: string }) {
  return (
    <dl className="read-only">
      <dt>{label}</dt>
      <dd>{value}</dd>
      <dd className="hint">Only an owner can change this.</dd>
    </dl>
  )
}
