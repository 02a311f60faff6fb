'use client'
// Forms for creating, editing and deleting a project. Each posts a server action and works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX } from '@/server/services/project-limits'
import type { Project } from '@/server/services/projects'
import { Field, FormMessage, SubmitButton } from './form'

type ProjectAction = (previous: ActionResult<Project> | null, form: FormData) => Promise<ActionResult<Project>>

// Remount the fields whenever a new result arrives: after an error they show what was typed, after a success they start afresh.
const keyOf = (state: ActionResult<Project> | null) => (state ? JSON.stringify(state) : 'new')

export function CreateProjectForm({ action, workspace }: { action: ProjectAction; workspace: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} success="Project created." />
      <input type="hidden" name="workspace" value={workspace} />
      <div key={keyOf(state)}>
        <Field name="name" label="Name" state={state} required maxLength={PROJECT_NAME_MAX} />
        <Field name="description" label="Description" state={state} multiline maxLength={PROJECT_DESCRIPTION_MAX} />
      </div>
      <SubmitButton pending="Creating…">Create project</SubmitButton>
    </form>
  )
}

export function EditProjectForm({ action, project, workspace }: { action: ProjectAction; project: Project; workspace: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} noValidate>
      <FormMessage state={state} success="Saved." />
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="id" value={project.id} />
      <div key={`${project.version}-${keyOf(state)}`}>
        <Field name="name" label="Name" state={state} defaultValue={project.name} required maxLength={PROJECT_NAME_MAX} />
        <Field
          name="description"
          label="Description"
          state={state}
          defaultValue={project.description}
          multiline
          maxLength={PROJECT_DESCRIPTION_MAX}
        />
      </div>
      <SubmitButton pending="Saving…">Save changes</SubmitButton>
    </form>
  )
}

export function DeleteProjectForm({ action, project, workspace }: { action: ProjectAction; project: Project; workspace: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <details className="danger-zone" open={state !== null}>
      <summary>Delete project</summary>
      <form action={formAction}>
        <FormMessage state={state} />
        <input type="hidden" name="workspace" value={workspace} />
        <input type="hidden" name="id" value={project.id} />
        <p>
          This deletes <strong>{project.name}</strong> for good.
        </p>
        <label className="check">
          <input type="checkbox" name="confirm" value="yes" required /> I understand this cannot be undone
        </label>
        <p>
          <SubmitButton pending="Deleting…" variant="danger">
            Delete permanently
          </SubmitButton>
        </p>
      </form>
    </details>
  )
}
