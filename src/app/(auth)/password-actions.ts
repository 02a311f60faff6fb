'use server'
// "Forgot password?" and the new password from the mailed link: thin adapters over auth/password-reset.ts and
// services/password-reset.ts.
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { after } from 'next/server'
import { passwordHasher } from '@/server/auth/auth'
import { askForPasswordReset } from '@/server/auth/password-reset'
import type { ActionResult } from '@/server/http/action-result'
import { getRuntime, nudgeMailWorker } from '@/server/runtime'
import { actionFailure } from '@/server/runtime/next'
import { resetPassword } from '@/server/services/password-reset'
import { submittedFormInput } from '@/server/transports/form-values'

export async function forgotPasswordAction(_previous: ActionResult<{ message: string }> | null, form: unknown) {
  let input: Record<string, string | string[]> = {}
  try {
    input = submittedFormInput(form)
    const [{ database, limits, config }, requestHeaders] = [await getRuntime(), await headers()]
    const data = await askForPasswordReset(
      {
        db: database.db,
        limits,
        headers: requestHeaders,
        appUrl: config.appUrl,
        now: new Date(),
        later: after,
        mailQueued: nudgeMailWorker,
      },
      input,
    )
    return { ok: true, data } as const
  } catch (thrown) {
    return actionFailure(thrown, input, 'accounts.forgotPassword')
  }
}

export async function resetPasswordAction(_previous: ActionResult<never> | null, form: unknown) {
  let input: Record<string, string | string[]> = {}
  try {
    input = submittedFormInput(form)
    const { database, auth } = await getRuntime()
    await resetPassword({ db: database.db, now: new Date(), passwords: await passwordHasher(auth) }, input)
  } catch (thrown) {
    return actionFailure(thrown, input, 'accounts.resetPassword')
  }
  // Outside the try: redirect() throws by design. Every session ended, this browser's too: sign in afresh.
  redirect('/sign-in?reset=1')
}
