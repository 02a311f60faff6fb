'use client'
// Creating a token (shown once, with a copy button) and revoking one.
import { useActionState, useState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import type { ApiToken } from '@/server/services/tokens'
import { Field, FormMessage, SubmitButton, typed } from './form'
import { ConfirmDisclosure } from './ui/confirm'

type Created = { token: string; apiToken: ApiToken }
type CreateAction = (previous: ActionResult<Created> | null, form: FormData) => Promise<ActionResult<Created>>
type RevokeAction = (previous: ActionResult<ApiToken> | null, form: FormData) => Promise<ActionResult<ApiToken>>

const expiryLabel = (days: number) => (days === 365 ? '1 year' : `${days} days`)

type CreateTokenFormProps = {
  action: CreateAction
  scopes: readonly string[]
  /** The expiry choices the service offers (tokens.EXPIRY_CHOICES_DAYS), passed in so no server module reaches the client. */
  expiryDays: readonly number[]
  /** The workspace's slug: the token works in it only. */
  workspace: string
}

export function CreateTokenForm({ action, scopes, expiryDays, workspace }: CreateTokenFormProps) {
  const [state, formAction] = useActionState(action, null)
  const chosen = state && !state.ok ? typed(state, 'scopes').split('\n') : ['projects:read']
  const scopeErrors = state && !state.ok ? state.error.fieldErrors?.scopes : undefined
  return (
    <>
      {state?.ok && <NewToken token={state.data.token} name={state.data.apiToken.name} />}
      <form action={formAction} noValidate>
        {state && !state.ok && <FormMessage state={state} />}
        <input type="hidden" name="workspace" value={workspace} />
        <div key={state ? JSON.stringify(state) : 'new'}>
          <Field name="name" label="Name" state={state} required maxLength={60} hint="What will use it, e.g. “iOS app”." />
          <fieldset aria-describedby={scopeErrors ? 'scopes-error' : undefined}>
            <legend>Scopes</legend>
            <div className="checks">
              {scopes.map((scope) => (
                <label key={scope}>
                  <input type="checkbox" name="scopes" value={scope} defaultChecked={chosen.includes(scope)} />
                  {scope}
                </label>
              ))}
            </div>
            {scopeErrors && (
              <p id="scopes-error" className="field-error">
                {scopeErrors.join(' ')}
              </p>
            )}
          </fieldset>
          <div className="field">
            <label htmlFor="field-expiresInDays">Expires</label>
            <select id="field-expiresInDays" name="expiresInDays" defaultValue={typed(state, 'expiresInDays')}>
              <option value="">Never</option>
              {expiryDays.map((days) => (
                <option key={days} value={days}>
                  {expiryLabel(days)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <SubmitButton pending="Creating…">Create token</SubmitButton>
      </form>
    </>
  )
}

function NewToken({ token, name }: { token: string; name: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div role="status" className="notice success stack">
      <p>
        <strong>Copy this token now.</strong> “{name}” will not be shown again.
      </p>
      <div className="token-row">
        <input type="text" readOnly value={token} aria-label="New token" onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="button secondary"
          onClick={async () => {
            await navigator.clipboard.writeText(token)
            setCopied(true)
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}

export function RevokeTokenButton({ action, token, workspace }: { action: RevokeAction; token: ApiToken; workspace: string }) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="id" value={token.id} />
      <ConfirmDisclosure
        id={`token-${token.id}`}
        label="Revoke"
        ariaLabel={`Revoke ${token.name}`}
        open={state !== null && !state.ok}
        check="Revoke this token"
        submit={
          <SubmitButton pending="Revoking…" variant="danger">
            Revoke token
          </SubmitButton>
        }
      >
        <p className="m-0">Programs using “{token.name}” stop working at once.</p>
        {state && !state.ok && (
          <p role="alert" className="field-error">
            {state.error.message}
          </p>
        )}
      </ConfirmDisclosure>
    </form>
  )
}
