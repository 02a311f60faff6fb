import type { Metadata } from 'next'
import Link from 'next/link'
import { SignUpForm } from '@/components/auth-forms'
import { safeReturnPath } from '@/server/auth/return-path'
import { config } from '@/server/config'
import { signUpAction } from '../actions'

export const metadata: Metadata = { title: 'Create account' }

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeReturnPath((await searchParams).next, config().appUrl)
  return (
    <main className="narrow">
      <h1>Create account</h1>
      <SignUpForm action={signUpAction} next={next} />
      <p>
        Have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </main>
  )
}
