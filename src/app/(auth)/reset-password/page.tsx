import type { Metadata } from 'next'
import Link from 'next/link'
import { ResetPasswordForm } from '@/components/account-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { getRuntime } from '@/server/runtime'
import { linkIsOpen } from '@/server/services/password-reset'
import { resetPasswordAction } from '../password-actions'

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'same-origin' }

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams
  const secret = typeof token === 'string' ? token : ''
  return unlessUnavailable('/reset-password', () => ResetPassword(secret))
}

async function ResetPassword(token: string) {
  const { database } = await getRuntime()
  const open = token !== '' && (await linkIsOpen({ db: database.db, now: new Date() }, token))
  return (
    <main className="narrow">
      <h1>Choose a new password</h1>
      {open ? (
        <>
          <p>Setting it signs your account out on every device.</p>
          <ResetPasswordForm action={resetPasswordAction} token={token} />
        </>
      ) : (
        <p role="alert" className="notice error">
          This link has expired or was already used. <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </main>
  )
}
