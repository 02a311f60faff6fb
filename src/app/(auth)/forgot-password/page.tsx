import type { Metadata } from 'next'
import Link from 'next/link'
import { ForgotPasswordForm } from '@/components/account-forms'
import { forgotPasswordAction } from '../password-actions'

export const metadata: Metadata = { title: 'Forgot password' }

export default function ForgotPasswordPage() {
  return (
    <main className="narrow">
      <h1>Forgot your password?</h1>
      <p>Enter the address you signed up with. If it has an account, we send it a link to choose a new password.</p>
      <ForgotPasswordForm action={forgotPasswordAction} />
      <p>
        Remembered it? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  )
}
