'use server'
// Settings → Account and security: each operation adapted to a server action (services/account-settings.ts,
// sessions.ts, account-deletion.ts, email-verification.ts).
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { signOut } from '@/server/auth/accounts'
import type { ActionResult } from '@/server/http/action-result'
import {
  changeEmail,
  changePassword,
  deleteAccount,
  renameAccount,
  resendVerification,
  revokeOtherSessions,
  revokeSession,
} from '@/server/operations/account-settings'
import { getRuntime } from '@/server/runtime'
import { nextAction } from '@/server/runtime/next'

const PAGE = '/settings/account'
const here = () => [PAGE]

export const renameAccountAction = nextAction(renameAccount, { revalidate: () => ['/', PAGE] })
export const changeEmailAction = nextAction(changeEmail, { revalidate: here })
export const changePasswordAction = nextAction(changePassword, { revalidate: here })
export const resendVerificationAction = nextAction(resendVerification, { revalidate: here })
export const revokeSessionAction = nextAction(revokeSession, { revalidate: here })
export const revokeOtherSessionsAction = nextAction(revokeOtherSessions, { revalidate: here })

const deleteAccountOperation = nextAction(deleteAccount)

/** Deletes the account; on success the (already ended) session's cookie is cleared and the person lands on a page that says so. */
export async function deleteAccountAction(_previous: ActionResult<unknown> | null, form: unknown) {
  // The operation's action is the gate: anything but a form is VALIDATION there, and nothing below runs.
  const result = await deleteAccountOperation(null, form)
  if (!result.ok) return result
  const { auth } = await getRuntime()
  await signOut({ auth, headers: await headers() }).catch(() => {})
  redirect('/account-deleted')
}
