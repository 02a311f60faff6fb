import Link from 'next/link'
import type { ReactNode } from 'react'
import { PaymentFailedBanner } from '@/components/payment-failed-banner'
import { unlessUnavailable } from '@/components/unavailable-page'
import { VerifyNotice } from '@/components/verify-notice'
import { sessionContext } from '@/server/operations/next'
import { roleAtLeast } from '@/server/services/context'
import { workspaceBySlug } from './current'

const ROLE_NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const

/** The frame of every workspace page: which workspace this is, the caller's role in it, and its sections. */
export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}`, () => Frame(slug, children))
}

async function Frame(slug: string, children: ReactNode) {
  const ctx = await sessionContext(slug)
  // Signed out: the page itself sends them to sign in, with its own path to come back to (a layout knows only its own).
  if (ctx.actor.type !== 'user') return children
  const workspace = await workspaceBySlug(slug)
  const base = `/w/${workspace.slug}`
  return (
    <>
      <div className="workspace-bar">
        <div className="inner">
          <p className="workspace-name">
            <strong>{workspace.name}</strong> <span className="badge">{ROLE_NAMES[workspace.role]}</span>
          </p>
          <nav aria-label="Workspace">
            <Link href={base}>Projects</Link>
            <Link href={`${base}/activity`}>Activity</Link>
            {roleAtLeast(workspace.role, 'admin') && <Link href={`${base}/settings/members`}>Members</Link>}
            <Link href={`${base}/settings/tokens`}>API tokens</Link>
            <Link href={`${base}/settings`}>Settings</Link>
            {workspace.role === 'owner' && <Link href={`${base}/settings/billing`}>Billing</Link>}
          </nav>
        </div>
      </div>
      <VerifyNotice ctx={ctx} back={base} />
      <PaymentFailedBanner ctx={ctx} slug={workspace.slug} owner={workspace.role === 'owner'} />
      {children}
    </>
  )
}
