import type { Metadata } from 'next'
import Link from 'next/link'
import { SignInForm } from '@/components/auth-forms'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import { DEMO_ACCOUNT } from '@/server/seed'
import { signInAction } from '../actions'

export const metadata: Metadata = { title: 'Sign in' }

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; reset?: string }> }) {
  const query = await searchParams
  const next = safeReturnPath(query.next, config().appUrl)
  const { env, seedDemo } = config()
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      {env === 'development' && seedDemo && (
        <p className="notice info">
          Development demo account: <code>{DEMO_ACCOUNT.email}</code> / <code>{DEMO_ACCOUNT.password}</code>
        </p>
      )}
      {query.reset === '1' && (
        <p role="status" className="notice success">
          Your password was changed and every session signed out. Sign in with the new password.
        </p>
      )}
      <SignInForm action={signInAction} next={next} />
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p>
        New here? <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create account</Link>
      </p>
    </main>
  )
}
