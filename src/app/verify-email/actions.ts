'use server'
// Following the links in the account e-mails (thin adapters over services/email-verification.ts), and putting the
// "confirm your address" notice away.
import { revalidatePath } from 'next/cache'
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import type { ActionResult } from '@/server/http/action-result'
import { getRuntime } from '@/server/runtime'
import { actionFailure } from '@/server/runtime/next'
import { confirmAddress, confirmEmailChange, type LinkOutcome } from '@/server/services/email-verification'
import { formOrNothing, submittedFormInput } from '@/server/transports/form-values'
import { VERIFY_NOTICE_COOKIE } from './notice-cookie'

type Confirm = typeof confirmAddress

async function follow(confirm: Confirm, form: unknown, name: string): Promise<ActionResult<LinkOutcome>> {
  let input: Record<string, string | string[]> = {}
  try {
    input = submittedFormInput(form)
    const { database } = await getRuntime()
    const token = typeof input.token === 'string' ? input.token : ''
    const data = await confirm({ db: database.db, now: new Date() }, token)
    // The header shows the address, and workspace pages the notice.
    revalidatePath('/', 'layout')
    return { ok: true, data }
  } catch (thrown) {
    return actionFailure(thrown, input, name)
  }
}

export async function confirmAddressAction(_previous: ActionResult<LinkOutcome> | null, form: unknown) {
  return follow(confirmAddress, form, 'account.confirmAddress')
}

export async function confirmEmailChangeAction(_previous: ActionResult<LinkOutcome> | null, form: unknown) {
  return follow(confirmEmailChange, form, 'account.confirmEmailChange')
}

/**
 * Hides the notice for a week (a cookie, so it works without JavaScript); it returns while the address is unconfirmed.
 * A plain form action (React gives it no result to return): called with anything but a form, it does nothing.
 */
export async function dismissVerifyNoticeAction(form: unknown): Promise<void> {
  const input = formOrNothing(form)
  if (!input) return
  ;(await cookies()).set(VERIFY_NOTICE_COOKIE, 'dismissed', { maxAge: 7 * 24 * 60 * 60, httpOnly: true, sameSite: 'lax', path: '/' })
  // `back` comes from the form, so anyone can post any value: only a path on this site, by sign-in's own rule.
  redirect(safeReturnPath(input.back, config().appUrl))
}
