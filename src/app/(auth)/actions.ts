'use server'
// Sign-up, sign-in and sign-out as server actions: thin adapters over src/server/auth/accounts.ts.
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import * as accounts from '@/server/auth/accounts'
import { startOAuthSignIn } from '@/server/auth/oauth'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import type { ActionResult } from '@/server/http/action-result'
import { getRuntime } from '@/server/runtime'
import { actionFailure } from '@/server/runtime/next'
import { formOrNothing, submittedFormInput } from '@/server/transports/form-values'

type AccountStep = (deps: accounts.AccountDeps, input: unknown) => Promise<{ userId: string }>

async function run(step: AccountStep, name: string, submitted: unknown): Promise<ActionResult<never>> {
  let input: Record<string, string | string[]> = {}
  try {
    input = submittedFormInput(submitted)
    const [{ auth, limits }, requestHeaders] = [await getRuntime(), await headers()]
    await step({ auth, limits, headers: requestHeaders }, input)
  } catch (thrown) {
    return actionFailure(thrown, input, name)
  }
  // Outside the try: redirect() throws by design.
  redirect(safeReturnPath(input.next, config().appUrl))
}

// The form argument is typed unknown: callers can post anything to an action, and run() checks it.
export async function signUpAction(_previous: ActionResult<never> | null, form: unknown) {
  return run(accounts.signUp, 'accounts.signUp', form)
}

export async function signInAction(_previous: ActionResult<never> | null, form: unknown) {
  return run(accounts.signIn, 'accounts.signIn', form)
}

/** Starts signing in with a provider (GitHub, Google, OpenID Connect) and sends the browser there to consent. */
export async function oauthSignInAction(_previous: ActionResult<never> | null, form: unknown): Promise<ActionResult<never>> {
  let input: Record<string, string | string[]> = {}
  let url: string
  try {
    input = submittedFormInput(form)
    const [{ auth, limits, config: cfg }, requestHeaders] = [await getRuntime(), await headers()]
    ;({ url } = await startOAuthSignIn(
      { auth, oauth: cfg.oauth, appUrl: cfg.appUrl, oauthStarts: limits.oauthStarts, headers: requestHeaders },
      input,
    ))
  } catch (thrown) {
    return actionFailure(thrown, input, 'accounts.oauthSignIn')
  }
  redirect(url)
}

/**
 * Signs out, then goes to the form's `next` page (an invitation asks to come back to itself), else to sign-in.
 * A plain form action (React gives it no result to return): called with anything but a form, it does nothing.
 */
export async function signOutAction(form: unknown): Promise<void> {
  const input = formOrNothing(form)
  if (!input) return
  const { auth } = await getRuntime()
  await accounts.signOut({ auth, headers: await headers() })
  redirect(safeReturnPath(input.next, config().appUrl, '/sign-in'))
}
