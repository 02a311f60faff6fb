import type { Metadata } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { signOutAction } from './(auth)/actions'
import './globals.css'
import { Menu, NavLink } from '@/components/ui/nav'
import { isDatabaseUnavailable } from '@/server/errors'
import { sessionContext } from '@/server/runtime/next'
import * as accounts from '@/server/services/accounts'
import * as workspaces from '@/server/services/workspaces'

export const metadata: Metadata = {
  title: { default: 'Twofold', template: '%s · Twofold' },
  description: 'An open SaaS foundation on Next.js: server actions, server components, route handlers and one service layer.',
}

/**
 * Who the header is for: the signed-in person with their workspaces, signed out, or unknown while the database is out
 * of reach (the session is looked up there). Every page shares this header, so an outage must leave the page itself to
 * answer, not take the whole document down; and an unknown session is shown as neither state, or a signed-in person
 * would be offered "Sign in" as though they had been signed out.
 */
async function headerPerson() {
  try {
    const ctx = await sessionContext()
    if (ctx.actor.type !== 'user') return 'signed-out'
    // Anything but an outage (the account deleted a moment ago) shows the header signed out, as before.
    const found = await Promise.all([accounts.me(ctx), workspaces.listMine(ctx)]).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) throw error
      return null
    })
    if (!found) return 'signed-out'
    const [me, mine] = found
    return { ...me, workspaces: mine.items }
  } catch (error) {
    if (isDatabaseUnavailable(error)) return 'unknown'
    throw error
  }
}

const NAV_LINK =
  'font-medium text-muted no-underline hover:text-foreground hover:no-underline [&.is-current]:text-foreground [&.is-current]:underline [&.is-current]:decoration-2 [&.is-current]:underline-offset-8'
const MENU_PANEL = 'absolute right-0 z-30 mt-2 w-64 max-w-[calc(100vw-2rem)] rounded-xl border border-border bg-surface p-2 shadow-lg'
const MENU_ITEM =
  'block rounded-md px-3 py-2 text-foreground no-underline hover:bg-accent-bg hover:no-underline [&.is-current]:bg-accent-bg [&.is-current]:font-semibold'

type Person = { user: { email: string }; workspaces: { id: string; slug: string; name: string }[] }

/** The workspaces, each marked when it is the one being viewed, and the way to make another. */
function WorkspaceLinks({ me }: { me: Person }) {
  return (
    <ul className="m-0 list-none p-0">
      {me.workspaces.map((workspace) => (
        <li key={workspace.id}>
          <NavLink href={`/w/${workspace.slug}`} match="section" className={MENU_ITEM}>
            {workspace.name}
          </NavLink>
        </li>
      ))}
      <li className="mt-1 border-t border-border pt-1">
        <NavLink href="/w/new" className={MENU_ITEM}>
          New workspace
        </NavLink>
      </li>
    </ul>
  )
}

function SignOut({ className }: { className: string }) {
  return (
    <form action={signOutAction} className="m-0">
      <button type="submit" className={className}>
        Sign out
      </button>
    </form>
  )
}

async function SiteHeader() {
  const person = await headerPerson()
  const me = typeof person === 'object' ? person : null
  return (
    <header className="border-b border-border bg-surface">
      <div className="mx-auto flex max-w-5xl items-center gap-4 px-4 py-3 sm:px-5">
        <Link href={me ? '/dashboard' : '/'} className="mr-auto text-lg font-bold text-foreground no-underline hover:no-underline">
          Twofold
        </Link>
        {me ? (
          <>
            {/* Wide screens: the links in a row, the workspaces in a menu. */}
            <nav aria-label="Main" className="hidden items-center gap-5 md:flex">
              <NavLink href="/dashboard" className={NAV_LINK}>
                Dashboard
              </NavLink>
              <Menu summary="Workspaces ▾">
                <div className={MENU_PANEL}>
                  <WorkspaceLinks me={me} />
                </div>
              </Menu>
              <NavLink href="/docs/api" className={NAV_LINK}>
                API docs
              </NavLink>
              <NavLink href="/settings/account" className={`${NAV_LINK} max-w-56 truncate text-sm`}>
                <span title="Account and security">{me.user.email}</span>
              </NavLink>
              <SignOut className={`${NAV_LINK} cursor-pointer border-0 bg-transparent p-0`} />
            </nav>
            {/* Phones: one menu button, so the header stays one row. */}
            <Menu summary="Menu" className="md:hidden">
              <nav aria-label="Main" className={MENU_PANEL}>
                <NavLink href="/dashboard" className={MENU_ITEM}>
                  Dashboard
                </NavLink>
                <p className="mx-3 mt-2 mb-1 text-xs font-semibold text-muted uppercase">Workspaces</p>
                <WorkspaceLinks me={me} />
                <div className="mt-1 border-t border-border pt-1">
                  <NavLink href="/docs/api" className={MENU_ITEM}>
                    API docs
                  </NavLink>
                  <NavLink href="/settings/account" className={`${MENU_ITEM} truncate`}>
                    Account ({me.user.email})
                  </NavLink>
                  <SignOut className={`${MENU_ITEM} w-full cursor-pointer border-0 bg-transparent text-left`} />
                </div>
              </nav>
            </Menu>
          </>
        ) : (
          <nav aria-label="Main" className="flex items-center gap-3 text-sm sm:gap-4 sm:text-base">
            <NavLink href="/docs/api" className={NAV_LINK}>
              API docs
            </NavLink>
            {person === 'signed-out' && (
              <>
                <NavLink href="/sign-in" className={NAV_LINK}>
                  Sign in
                </NavLink>
                <NavLink href="/sign-up" className={NAV_LINK}>
                  Create account
                </NavLink>
              </>
            )}
          </nav>
        )}
      </div>
    </header>
  )
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a
          href="#content"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-surface focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <SiteHeader />
        <div id="content" tabIndex={-1} className="outline-none">
          {children}
        </div>
      </body>
    </html>
  )
}
