'use client'
// Accepting an invitation: one button, posting the link's secret; works without JavaScript.
import { useActionState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import { FormMessage, SubmitButton } from './form'

type Accepted = { slug: string; workspaceName: string; role: 'owner' | 'admin' | 'member' }
type AcceptAction = (previous: ActionResult<Accepted> | null, form: FormData) => Promise<ActionResult<Accepted>>

export function AcceptInvitationForm({ action, token }: { action: AcceptAction; token: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <SubmitButton pending="Joining…">Accept invitation</SubmitButton>
    </form>
  )
}
