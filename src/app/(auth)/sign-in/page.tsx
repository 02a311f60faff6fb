import type { Metadata } from 'next'
import Link from 'next/link'
import { SignInForm } from '@/components/auth-forms'
import { OAuthButtons } from '@/components/oauth-buttons'
import { oauthErrorMessage } from '@/server/auth/oauth'
import { configuredProviders } from '@/server/auth/providers'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import { DEMO_ACCOUNT } from '@/server/seed'
import { oauthSignInAction, signInAction } from '../actions'

export const metadata: Metadata = { title: 'Sign in' }

type Params = { next?: string | string[]; error?: string | string[]; reset?: string }

export default async function SignInPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams
  const next = safeReturnPath(params.next, config().appUrl)
  const { env, seedDemo, oauth } = config()
  // Where a failed OAuth sign-in lands (?error=<code>): only our own words for the code are shown.
  const oauthError = oauthErrorMessage(params.error)
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      {oauthError && (
        <p role="alert" className="notice error">
          {oauthError}
        </p>
      )}
      {env === 'development' && seedDemo && (
        <p className="notice info">
          Development demo account: <code>{DEMO_ACCOUNT.email}</code> / <code>{DEMO_ACCOUNT.password}</code>
        </p>
      )}
      {params.reset === '1' && (
        <p role="status" className="notice success">
          Your password was changed and every session signed out. Sign in with the new password.
        </p>
      )}
      <SignInForm action={signInAction} next={next} />
      <OAuthButtons providers={configuredProviders(oauth)} action={oauthSignInAction} next={next} />
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p>
        New here? <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create account</Link>
      </p>
    </main>
  )
}
