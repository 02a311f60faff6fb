'use client'
// Forms on the members page: a member's role, removing a member, inviting someone, and resending or revoking an
// invitation. Each posts a server action and works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import type { Invitation } from '@/server/services/invitations'
import type { Member } from '@/server/services/members'
import { Field, FormMessage, SubmitButton, typed } from './form'
import { ConfirmDisclosure } from './ui/confirm'

type FormAction<T> = (previous: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>
type Role = Member['role']

const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' }

function Failure({ state }: { state: ActionResult<unknown> | null }) {
  if (!state || state.ok) return null
  return (
    <p role="alert" className="field-error">
      {state.error.message}
    </p>
  )
}

type ChangeRoleProps = {
  action: FormAction<Member>
  workspace: string
  member: Member
  /** The roles the viewer may give: an admin never offers Owner (the service refuses it anyway). */
  roles: readonly Role[]
}

export function ChangeRoleForm({ action, workspace, member, roles }: ChangeRoleProps) {
  const [state, formAction] = useActionState(action, null)
  const id = `role-${member.userId}`
  return (
    <form action={formAction} className="inline-form">
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="userId" value={member.userId} />
      <label htmlFor={id} className="visually-hidden">
        Role for {member.email}
      </label>
      <select id={id} name="role" defaultValue={member.role} key={member.role}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABELS[role]}
          </option>
        ))}
      </select>
      <button type="submit" className="link-button">
        Change role
      </button>
      <Failure state={state} />
    </form>
  )
}

export function RemoveMemberForm({ action, workspace, member }: { action: FormAction<Member>; workspace: string; member: Member }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="userId" value={member.userId} />
      <ConfirmDisclosure
        id={`remove-${member.userId}`}
        label="Remove"
        ariaLabel={`Remove ${member.email}`}
        open={state !== null && !state.ok}
        check={`Remove ${member.name}`}
        submit={
          <SubmitButton pending="Removing…" variant="danger">
            Remove member
          </SubmitButton>
        }
      >
        <p className="m-0">They lose access to the workspace, and their API tokens for it stop working.</p>
        <Failure state={state} />
      </ConfirmDisclosure>
    </form>
  )
}

type InviteFormProps = {
  action: FormAction<Invitation>
  workspace: string
  /** Roles the caller may invite as: an owner only from an owner. */
  roles: readonly Role[]
}

export function InviteForm({ action, workspace, roles }: InviteFormProps) {
  const [state, formAction] = useActionState(action, null)
  const roleErrors = state && !state.ok ? state.error.fieldErrors?.role : undefined
  return (
    <form action={formAction} noValidate>
      <FormMessage
        state={state}
        success={
          state?.ok
            ? `Invitation saved for ${state.data.email}. The e-mail is on its way; if it cannot be sent now, it will be retried.`
            : undefined
        }
      />
      <input type="hidden" name="workspace" value={workspace} />
      <div key={state ? JSON.stringify(state) : 'new'}>
        <Field name="email" label="Email" type="email" state={state} required autoComplete="off" maxLength={254} />
        <div className="field">
          <label htmlFor="field-role">Role</label>
          <select
            id="field-role"
            name="role"
            defaultValue={typed(state, 'role', 'member')}
            aria-describedby={roleErrors ? 'role-error' : undefined}
          >
            {roles.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
          {roleErrors && (
            <p id="role-error" className="field-error">
              {roleErrors.join(' ')}
            </p>
          )}
        </div>
      </div>
      <SubmitButton pending="Sending…">Send invitation</SubmitButton>
    </form>
  )
}

type InvitationButtonProps = { action: FormAction<Invitation>; workspace: string; invitation: Invitation }

export function ResendInvitationButton({ action, workspace, invitation }: InvitationButtonProps) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="id" value={invitation.id} />
      <button type="submit" className="link-button" aria-label={`Resend to ${invitation.email}`}>
        Resend
      </button>
      {state?.ok && (
        <p role="status" className="hint">
          Sent again.
        </p>
      )}
      <Failure state={state} />
    </form>
  )
}

export function RevokeInvitationButton({ action, workspace, invitation }: InvitationButtonProps) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="id" value={invitation.id} />
      <button type="submit" className="link-button" aria-label={`Revoke invitation for ${invitation.email}`}>
        Revoke
      </button>
      <Failure state={state} />
    </form>
  )
}

type TransferProps = { action: FormAction<Member>; workspace: string; candidates: readonly Member[] }

/** The owner hands the workspace to another member, confirmed; they stay on as an admin. */
export function TransferOwnershipForm({ action, workspace, candidates }: TransferProps) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <div className="field">
        <label htmlFor="field-transfer">New owner</label>
        <select id="field-transfer" name="userId" defaultValue={typed(state, 'userId')} required>
          {candidates.map((member) => (
            <option key={member.userId} value={member.userId}>
              {member.name} ({member.email})
            </option>
          ))}
        </select>
      </div>
      <ConfirmDisclosure
        id="transfer"
        label="Transfer ownership…"
        open={state !== null && !state.ok}
        check="Make them the owner; I become an admin"
        submit={
          <SubmitButton pending="Transferring…" variant="danger">
            Transfer ownership
          </SubmitButton>
        }
      >
        <p className="m-0">They get billing, deletion and every other owner’s right; you stay on as an admin.</p>
        <Failure state={state} />
      </ConfirmDisclosure>
      {state?.ok && (
        <p role="status" className="notice success">
          {state.data.name} now owns the workspace.
        </p>
      )}
    </form>
  )
}
