'use client'
// The pieces every form is made of: labelled fields with their errors, a submit button with a pending state,
// and the form-level message. They read an ActionResult, the shape every server action returns.
import type { ReactNode } from 'react'
import { useFormStatus } from 'react-dom'
import type { ActionResult } from '@/server/http/action-result'

export type FormState = ActionResult<unknown> | null

/** What the person typed last time (after an error), else the field's own default. */
export function typed(state: FormState, name: string, fallback = ''): string {
  return state && !state.ok ? (state.values[name] ?? fallback) : fallback
}

function fieldErrors(state: FormState, name: string): string[] {
  return (state && !state.ok && state.error.fieldErrors?.[name]) || []
}

type FieldProps = {
  name: string
  label: string
  state: FormState
  defaultValue?: string
  type?: 'text' | 'email' | 'password'
  multiline?: boolean
  required?: boolean
  autoComplete?: string
  maxLength?: number
  hint?: string
  /** Where one page holds two forms with a field of the same name: keeps their ids (and so their labels) apart. */
  idPrefix?: string
}

export function Field({ name, label, state, defaultValue = '', type = 'text', multiline, hint, idPrefix = '', ...rest }: FieldProps) {
  const errors = fieldErrors(state, name)
  const id = `field-${idPrefix}${name}`
  const errorId = `${idPrefix}${name}-error`
  const hintId = `${idPrefix}${name}-hint`
  const describedBy = [errors.length ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined
  const common = {
    id,
    name,
    'aria-invalid': errors.length ? true : undefined,
    'aria-describedby': describedBy,
    defaultValue: type === 'password' ? undefined : typed(state, name, defaultValue),
    ...rest,
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={4} {...common} /> : <input type={type} {...common} />}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <p id={errorId} className="field-error">
          {errors.join(' ')}
        </p>
      )}
    </div>
  )
}

export function SubmitButton({ children, pending: pendingText, variant }: { children: ReactNode; pending: string; variant?: 'danger' }) {
  const { pending } = useFormStatus()
  return (
    <button type="submit" className={variant === 'danger' ? 'button danger' : 'button'} disabled={pending} aria-disabled={pending}>
      {pending ? pendingText : children}
    </button>
  )
}

/** The form-level outcome: an alert for a failure that is not about one field, a status for success. */
export function FormMessage({ state, success }: { state: FormState; success?: string }) {
  if (!state) return null
  if (state.ok)
    return success ? (
      <p role="status" className="notice success">
        {success}
      </p>
    ) : null
  const { fieldErrors } = state.error
  if (fieldErrors && Object.keys(fieldErrors).some((k) => k !== '_')) return null
  // A plan limit that upgrading lifts: say where to upgrade (the form posted its workspace).
  const workspace = state.error.upgrade ? state.values.workspace : undefined
  return (
    <p role="alert" className="notice error">
      {state.error.message}
      {workspace && (
        <>
          {' '}
          <a href={`/w/${encodeURIComponent(workspace)}/settings/billing`}>Upgrade to Pro</a>
        </>
      )}
    </p>
  )
}
