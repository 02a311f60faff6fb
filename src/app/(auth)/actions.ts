'use server'
// Sign-up, sign-in and sign-out as server actions: thin adapters over src/server/auth/accounts.ts.
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import * as accounts from '@/server/auth/accounts'
import { toAppError } from '@/server/errors'
import { type ActionResult, actionError } from '@/server/http/action-result'
import { log } from '@/server/log'
import { echoValues, formToInput } from '@/server/operations/form-values'
import { getRuntime } from '@/server/runtime'

type AccountStep = (deps: accounts.AccountDeps, input: unknown) => Promise<{ userId: string }>

async function run(step: AccountStep, form: FormData): Promise<ActionResult<never>> {
  const input = formToInput(form)
  try {
    const [{ auth, limits }, requestHeaders] = [await getRuntime(), await headers()]
    await step({ auth, limits, headers: requestHeaders }, input)
  } catch (error) {
    const appError = toAppError(error)
    if (appError.code === 'INTERNAL') log.error('account action failed', { error })
    return actionError(appError, echoValues(input))
  }
  // Outside the try: redirect() throws by design.
  redirect(accounts.safeReturnPath(form.get('next')))
}

export async function signUpAction(_previous: ActionResult<never> | null, form: FormData) {
  return run(accounts.signUp, form)
}

export async function signInAction(_previous: ActionResult<never> | null, form: FormData) {
  return run(accounts.signIn, form)
}

export async function signOutAction() {
  const { auth } = await getRuntime()
  await accounts.signOut({ auth, headers: await headers() })
  redirect('/sign-in')
}
