import type { Metadata } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { signOutAction } from './(auth)/actions'
import './globals.css'
import { isDatabaseUnavailable } from '@/server/errors'
import { sessionContext } from '@/server/operations/next'
import * as accounts from '@/server/services/accounts'
import * as workspaces from '@/server/services/workspaces'

export const metadata: Metadata = {
  title: { default: 'Twofold', template: '%s · Twofold' },
  description: 'An open SaaS foundation on Next.js: server actions, server components, route handlers and one service layer.',
}

/** The signed-in person with their workspaces, or null: signed out, or the database is out of reach (every page shares this header,
 * and an outage must leave the page's own error boundary to answer, not take the whole document down). */
async function signedInPerson() {
  try {
    const ctx = await sessionContext()
    if (ctx.actor.type !== 'user') return null
    const [me, mine] = await Promise.all([accounts.me(ctx), workspaces.listMine(ctx)]).catch(() => [null, null])
    return me && mine ? { ...me, workspaces: mine.items } : null
  } catch (error) {
    if (isDatabaseUnavailable(error)) return null
    throw error
  }
}

async function SiteHeader() {
  const me = await signedInPerson()
  return (
    <header className="site-header">
      <div className="inner">
        <Link href={me ? '/dashboard' : '/'} className="brand">
          Twofold
        </Link>
        <nav aria-label="Main">
          {me ? (
            <>
              <Link href="/dashboard">Dashboard</Link>
              <details className="switcher">
                <summary>Workspaces</summary>
                <ul>
                  {me.workspaces.map((workspace) => (
                    <li key={workspace.id}>
                      <Link href={`/w/${workspace.slug}`}>{workspace.name}</Link>
                    </li>
                  ))}
                  <li className="new">
                    <Link href="/w/new">New workspace</Link>
                  </li>
                </ul>
              </details>
              <Link href="/docs/api">API docs</Link>
              <Link href="/settings/account" className="who" title="Account and security">
                {me.user.email}
              </Link>
              <form action={signOutAction}>
                <button type="submit" className="link-button">
                  Sign out
                </button>
              </form>
            </>
          ) : (
            <>
              <Link href="/docs/api">API docs</Link>
              <Link href="/sign-in">Sign in</Link>
              <Link href="/sign-up">Create account</Link>
            </>
          )}
        </nav>
      </div>
    </header>
  )
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SiteHeader />
        {children}
      </body>
    </html>
  )
}
