'use client'
// The account forms: forgot/reset password, following an e-mail link, and Settings → Account and security. Each is a
// server action through useActionState, so it works with JavaScript off, with a pending state and field errors.
import Link from 'next/link'
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import { Field, FormMessage, SubmitButton } from './form'

type FormAction<T> = (previous: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>
const keyOf = (state: unknown) => (state ? JSON.stringify(state) : 'new')

export function ForgotPasswordForm({ action }: { action: FormAction<{ message: string }> }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} className="card" key={keyOf(state)} noValidate>
      <FormMessage state={state} success={state?.ok ? state.data.message : undefined} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <SubmitButton pending="Sending…">Send me a link</SubmitButton>
    </form>
  )
}

export function ResetPasswordForm({ action, token }: { action: FormAction<never>; token: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} className="card" key={keyOf(state)} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <Field
        name="password"
        label="New password"
        type="password"
        state={state}
        autoComplete="new-password"
        required
        hint="At least 8 characters."
      />
      <SubmitButton pending="Saving…">Set new password</SubmitButton>
    </form>
  )
}

type LinkOutcome = { status: 'confirmed'; email: string } | { status: 'invalid' } | { status: 'taken' }

/** A link from an e-mail is followed with a button (a POST), so a mail scanner that fetches links cannot use it up. */
export function ConfirmLinkForm({ action, token, label }: { action: FormAction<LinkOutcome>; token: string; label: string }) {
  const [state, formAction] = useActionState(action, null)
  if (state?.ok && state.data.status === 'confirmed') {
    return (
      <div className="card">
        <p role="status" className="notice success">
          Confirmed: your address is {state.data.email}.
        </p>
        <p>
          <Link href="/dashboard">Go to your dashboard</Link>
        </p>
      </div>
    )
  }
  const failure =
    state?.ok && state.data.status === 'taken'
      ? 'Another account has taken this address meanwhile, so your address stays as it was.'
      : state?.ok
        ? 'This link has expired or was already used. Ask for a new one from Settings → Account and security.'
        : null
  return (
    <form action={formAction} className="card">
      <FormMessage state={state} />
      {failure && (
        <p role="alert" className="notice error">
          {failure}
        </p>
      )}
      <input type="hidden" name="token" value={token} />
      <SubmitButton pending="Confirming…">{label}</SubmitButton>
    </form>
  )
}

export function RenameAccountForm<T>({ action, name }: { action: FormAction<T>; name: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} key={keyOf(state)} noValidate>
      <FormMessage state={state} success="Name saved." />
      <Field name="name" label="Name" state={state} defaultValue={name} autoComplete="name" required maxLength={100} />
      <SubmitButton pending="Saving…">Save name</SubmitButton>
    </form>
  )
}

export function ChangeEmailForm({ action }: { action: FormAction<{ email: string }> }) {
  const [state, formAction] = useActionState(action, null)
  const success = state?.ok
    ? `We sent a link to ${state.data.email}. Your address changes when you follow it (within 24 hours).`
    : undefined
  return (
    <form action={formAction} key={keyOf(state)} noValidate>
      <FormMessage state={state} success={success} />
      <Field name="email" label="New email" type="email" state={state} autoComplete="email" required idPrefix="change-email-" />
      <Field
        name="password"
        label="Your password"
        type="password"
        state={state}
        autoComplete="current-password"
        required
        idPrefix="change-email-"
      />
      <SubmitButton pending="Sending…">Change email</SubmitButton>
    </form>
  )
}

export function ResendVerificationForm({ action }: { action: FormAction<{ email: string }> }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <FormMessage state={state} success={state?.ok ? `We sent a new link to ${state.data.email}.` : undefined} />
      <SubmitButton pending="Sending…">Send the confirmation e-mail again</SubmitButton>
    </form>
  )
}

export function ChangePasswordForm({ action }: { action: FormAction<{ signedOut: number }> }) {
  const [state, formAction] = useActionState(action, null)
  const n = state?.ok ? state.data.signedOut : 0
  const success = state?.ok
    ? `Password changed. ${n === 0 ? 'No other session was open.' : `${n} other session${n === 1 ? '' : 's'} signed out.`}`
    : undefined
  return (
    <form action={formAction} key={keyOf(state)} noValidate>
      <FormMessage state={state} success={success} />
      <Field name="currentPassword" label="Current password" type="password" state={state} autoComplete="current-password" required />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        state={state}
        autoComplete="new-password"
        required
        hint="At least 8 characters."
      />
      <SubmitButton pending="Saving…">Change password</SubmitButton>
    </form>
  )
}

export function RevokeSessionButton({ action, id, device }: { action: FormAction<{ id: string }>; id: string; device: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="link-button" aria-label={`Sign out ${device}`}>
        Sign out
      </button>
      {state && !state.ok && (
        <p role="alert" className="field-error">
          {state.error.message}
        </p>
      )}
    </form>
  )
}

/** Stays on the page when no other session is left, so the outcome can be read after the list has shrunk. */
export function RevokeOtherSessionsForm({ action, others }: { action: FormAction<{ signedOut: number }>; others: number }) {
  const [state, formAction] = useActionState(action, null)
  const n = state?.ok ? state.data.signedOut : 0
  return (
    <form action={formAction}>
      <FormMessage state={state} success={state?.ok ? `${n} other session${n === 1 ? '' : 's'} signed out.` : undefined} />
      {others > 0 ? (
        <SubmitButton pending="Signing out…">Sign out of all other devices</SubmitButton>
      ) : (
        <p className="hint">You are signed in on this device only.</p>
      )}
    </form>
  )
}

export function DeleteAccountForm<T>({ action, email, hasPassword }: { action: FormAction<T>; email: string; hasPassword: boolean }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} key={keyOf(state)} noValidate>
      <FormMessage state={state} />
      {hasPassword ? (
        <Field
          name="password"
          label="Confirm with your password"
          type="password"
          state={state}
          autoComplete="current-password"
          required
          idPrefix="delete-"
        />
      ) : (
        <Field name="confirm" label={`Type ${email} to confirm`} state={state} required idPrefix="delete-" />
      )}
      <SubmitButton pending="Deleting…" variant="danger">
        Delete my account
      </SubmitButton>
    </form>
  )
}
