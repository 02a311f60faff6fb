'use client'
// Forms for a workspace itself: creating one, renaming it, moving its address, deleting it and leaving it.
// Each posts a server action and works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import type { Workspace } from '@/server/services/workspaces'
import { Field, FormMessage, SubmitButton } from './form'
import { ConfirmDisclosure } from './ui/confirm'

type WorkspaceAction = (previous: ActionResult<Workspace> | null, form: FormData) => Promise<ActionResult<Workspace>>

const SLUG_HINT = 'Lower-case letters, digits and hyphens. Leave empty to make one from the name.'

// Remount the fields whenever a new result arrives: after an error they show what was typed.
const keyOf = (state: ActionResult<Workspace> | null) => (state ? JSON.stringify(state) : 'new')

export function CreateWorkspaceForm({ action }: { action: WorkspaceAction }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} />
      <div key={keyOf(state)}>
        <Field name="name" label="Name" state={state} required maxLength={60} />
        <Field name="slug" label="Address" state={state} maxLength={48} hint={SLUG_HINT} />
      </div>
      <SubmitButton pending="Creating…">Create workspace</SubmitButton>
    </form>
  )
}

export function RenameWorkspaceForm({ action, workspace }: { action: WorkspaceAction; workspace: Workspace }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} success="Renamed." />
      <input type="hidden" name="workspace" value={workspace.slug} />
      <div key={`${workspace.name}-${keyOf(state)}`}>
        <Field name="name" label="Workspace name" state={state} defaultValue={workspace.name} required maxLength={60} />
      </div>
      <SubmitButton pending="Renaming…">Rename</SubmitButton>
    </form>
  )
}

export function ChangeSlugForm({ action, workspace }: { action: WorkspaceAction; workspace: Workspace }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="workspace" value={workspace.slug} />
      <div key={keyOf(state)}>
        <Field
          name="slug"
          label="Address"
          state={state}
          defaultValue={workspace.slug}
          required
          maxLength={48}
          hint="Lower-case letters, digits and hyphens. Links to the old address stop working."
        />
      </div>
      <SubmitButton pending="Changing…">Change address</SubmitButton>
    </form>
  )
}

export function DeleteWorkspaceForm({ action, workspace }: { action: WorkspaceAction; workspace: Workspace }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="workspace" value={workspace.slug} />
      <p>
        This deletes <strong>{workspace.name}</strong> with all its projects and API tokens, for everyone in it. It cannot be undone.
      </p>
      <div key={keyOf(state)}>
        <Field name="confirm" label={`Type ${workspace.slug} to confirm`} state={state} required autoComplete="off" />
      </div>
      <SubmitButton pending="Deleting…" variant="danger">
        Delete workspace
      </SubmitButton>
    </form>
  )
}

export function LeaveWorkspaceForm({ action, workspace }: { action: WorkspaceAction; workspace: Workspace }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace.slug} />
      <p>You lose access to its projects, and the API tokens you made for it stop working.</p>
      <ConfirmDisclosure
        id="leave"
        label="Leave workspace…"
        open={state !== null}
        check={`I want to leave ${workspace.name}`}
        submit={
          <SubmitButton pending="Leaving…" variant="danger">
            Leave workspace
          </SubmitButton>
        }
      >
        {state && !state.ok && (
          <p role="alert" className="field-error">
            {state.error.message}
          </p>
        )}
      </ConfirmDisclosure>
    </form>
  )
}
