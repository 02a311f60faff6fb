'use client'
// Forms on the members page: a member's role, removing a member, inviting someone, and resending or revoking an
// invitation. Each posts a server action and works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import type { Invitation } from '@/server/services/invitations'
import type { Member } from '@/server/services/members'
import { Field, FormMessage, SubmitButton, typed } from './form'

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

export function ChangeRoleForm({ action, workspace, member }: { action: FormAction<Member>; workspace: string; member: Member }) {
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
        {(Object.keys(ROLE_LABELS) as Role[]).map((role) => (
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
      <button type="submit" className="link-button" aria-label={`Remove ${member.email}`}>
        Remove
      </button>
      <Failure state={state} />
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
