'use client'
// The sign-up and sign-in forms: server actions through useActionState, so they work with JavaScript off.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import { Field, FormMessage, SubmitButton } from './form'

type AccountAction = (previous: ActionResult<never> | null, form: FormData) => Promise<ActionResult<never>>

export function SignUpForm({ action, next }: { action: AccountAction; next: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} className="card" key={state ? JSON.stringify(state) : 'new'} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="next" value={next} />
      <Field name="name" label="Name" state={state} autoComplete="name" required maxLength={100} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <Field
        name="password"
        label="Password"
        type="password"
        state={state}
        autoComplete="new-password"
        required
        hint="At least 8 characters."
      />
      <SubmitButton pending="Creating account…">Create account</SubmitButton>
    </form>
  )
}

export function SignInForm({ action, next }: { action: AccountAction; next: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} className="card" key={state ? JSON.stringify(state) : 'new'} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="next" value={next} />
      <Field name="email" label="Email" type="email" state={state} autoComplete="email" required />
      <Field name="password" label="Password" type="password" state={state} autoComplete="current-password" required />
      <SubmitButton pending="Signing in…">Sign in</SubmitButton>
    </form>
  )
}
