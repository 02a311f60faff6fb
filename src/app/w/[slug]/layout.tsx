import type { ReactNode } from 'react'
import { PaymentFailedBanner } from '@/components/payment-failed-banner'
import { Badge } from '@/components/ui/badge'
import { NavLink } from '@/components/ui/nav'
import { unlessUnavailable } from '@/components/unavailable-page'
import { VerifyNotice } from '@/components/verify-notice'
import { sessionContext } from '@/server/runtime/next'
import { roleAtLeast } from '@/server/services/context'
import { workspaceBySlug, workspacePlan } from './current'

const ROLE_NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const

const TAB =
  'shrink-0 border-b-2 border-transparent px-1 py-2.5 font-medium text-muted no-underline hover:text-foreground hover:no-underline [&.is-current]:border-primary [&.is-current]:text-foreground'

/** The frame of every workspace page: which workspace this is, its plan, the caller's role in it, and its sections. */
export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}`, () => Frame(slug, children))
}

async function Frame(slug: string, children: ReactNode) {
  const ctx = await sessionContext(slug)
  // Signed out: the page itself sends them to sign in, with its own path to come back to (a layout knows only its own).
  if (ctx.actor.type !== 'user') return children
  const workspace = await workspaceBySlug(slug)
  const plan = await workspacePlan(slug)
  const base = `/w/${workspace.slug}`
  return (
    <>
      <div className="border-b border-border bg-surface">
        <div className="mx-auto max-w-5xl px-4 sm:px-5">
          <p className="m-0 flex min-w-0 items-center gap-2 pt-3" data-testid="workspace-bar">
            <strong className="truncate">{workspace.name}</strong>
            <Badge variant={plan.plan === 'pro' ? 'primary' : 'default'}>
              {plan.planName}
              <span className="sr-only"> plan</span>
            </Badge>
            <Badge>{ROLE_NAMES[workspace.role]}</Badge>
          </p>
          {/* The tabs scroll sideways on a phone rather than wrap into rows. */}
          <nav aria-label="Workspace" className="-mb-px flex gap-5 overflow-x-auto whitespace-nowrap [scrollbar-width:thin]">
            <NavLink href={base} sections={[`${base}/projects`]} className={TAB}>
              Projects
            </NavLink>
            <NavLink href={`${base}/activity`} className={TAB}>
              Activity
            </NavLink>
            {roleAtLeast(workspace.role, 'admin') && (
              <NavLink href={`${base}/settings/members`} className={TAB}>
                Members
              </NavLink>
            )}
            <NavLink href={`${base}/settings/tokens`} className={TAB}>
              API tokens
            </NavLink>
            <NavLink href={`${base}/settings`} className={TAB}>
              Settings
            </NavLink>
            {workspace.role === 'owner' && (
              <NavLink href={`${base}/settings/billing`} className={TAB}>
                Billing
              </NavLink>
            )}
          </nav>
        </div>
      </div>
      <VerifyNotice ctx={ctx} back={base} />
      <PaymentFailedBanner failed={plan.paymentFailed} slug={workspace.slug} owner={workspace.role === 'owner'} />
      {children}
    </>
  )
}
