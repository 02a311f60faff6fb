import type { Metadata } from 'next'
import Link from 'next/link'
import { SignUpForm } from '@/components/auth-forms'
import { OAuthButtons } from '@/components/oauth-buttons'
import { configuredProviders } from '@/server/auth/providers'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import { oauthSignInAction, signUpAction } from '../actions'

export const metadata: Metadata = { title: 'Create account' }

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeReturnPath((await searchParams).next, config().appUrl)
  return (
    <main className="narrow">
      <h1>Create account</h1>
      <SignUpForm action={signUpAction} next={next} />
      <OAuthButtons providers={configuredProviders(config().oauth)} action={oauthSignInAction} next={next} />
      <p>
        Have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </main>
  )
}
