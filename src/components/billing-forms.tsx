'use client'
// The billing page's forms: Upgrade (to Stripe Checkout) and Manage billing (to the customer portal). Each posts a
// server action that redirects, and works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import { FormMessage, SubmitButton } from './form'

type RedirectAction = (previous: ActionResult<{ url: string }> | null, form: FormData) => Promise<ActionResult<{ url: string }>>

export function UpgradeForm({ action, workspace, attempt }: { action: RedirectAction; workspace: string; attempt: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <FormMessage state={state} />
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="attempt" value={attempt} />
      <SubmitButton pending="Opening checkout…">Upgrade to Pro</SubmitButton>
    </form>
  )
}

export function ManageBillingForm({ action, workspace }: { action: RedirectAction; workspace: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <FormMessage state={state} />
      <input type="hidden" name="workspace" value={workspace} />
      <SubmitButton pending="Opening…">Manage billing</SubmitButton>
    </form>
  )
}
