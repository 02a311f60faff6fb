'use client'
// "Continue with …" for each configured provider: one small form each, posting to the action that starts the flow,
// so the buttons work with JavaScript off (the action's answer is the redirect to the provider).
import { useActionState } from 'react'
import type { OAuthProvider } from '@/server/auth/providers'
import type { ActionResult } from '@/server/http/action-result'
import { FormMessage, SubmitButton } from './form'

type StartAction = (previous: ActionResult<never> | null, form: FormData) => Promise<ActionResult<never>>

function ProviderForm({ provider, action, next }: { provider: OAuthProvider; action: StartAction; next: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction} className="oauth-provider">
      <FormMessage state={state} />
      <input type="hidden" name="provider" value={provider.id} />
      <input type="hidden" name="next" value={next} />
      <SubmitButton pending={`Going to ${provider.name}…`}>Continue with {provider.name}</SubmitButton>
    </form>
  )
}

export function OAuthButtons({ providers, action, next }: { providers: OAuthProvider[]; action: StartAction; next: string }) {
  if (providers.length === 0) return null
  return (
    <section className="card oauth-providers" aria-label="Other ways to continue">
      {providers.map((provider) => (
        <ProviderForm key={provider.id} provider={provider} action={action} next={next} />
      ))}
    </section>
  )
}
