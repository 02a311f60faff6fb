import type { Metadata } from 'next'
import Link from 'next/link'

export const metadata: Metadata = { title: 'Account deleted' }

// Where deleting an account lands: a page of its own, so the landing page stays static.
export default function AccountDeletedPage() {
  return (
    <main className="narrow">
      <h1>Your account was deleted</h1>
      <p role="status" className="notice success">
        Your account, its sessions and API tokens, and the workspaces where you were the only member are gone.
      </p>
      <p>
        <Link href="/">Back to the home page</Link> · <Link href="/sign-up">Create a new account</Link>
      </p>
    </main>
  )
}
