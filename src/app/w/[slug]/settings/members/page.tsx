import type { Metadata } from 'next'
import {
  ChangeRoleForm,
  InviteForm,
  RemoveMemberForm,
  ResendInvitationButton,
  RevokeInvitationButton,
  TransferOwnershipForm,
} from '@/components/member-forms'
import { UsageNote } from '@/components/plan-usage'
import { Badge } from '@/components/ui/badge'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { roleAtLeast } from '@/server/services/context'
import * as invitations from '@/server/services/invitations'
import * as members from '@/server/services/members'
import * as billing from '@/server/services/workspace-billing'
import {
  changeMemberRoleAction,
  createInvitationAction,
  removeMemberAction,
  resendInvitationAction,
  revokeInvitationAction,
  transferOwnershipAction,
} from '../../../actions'
import { currentWorkspace } from '../../current'

export const metadata: Metadata = { title: 'Members' }

const ROLE_NAMES = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const
const MAIL_STATES: Record<invitations.Invitation['mail'], string> = {
  sent: 'sent',
  sending: 'sending, will be retried',
  failed: 'failed',
  unknown: 'unknown',
}

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/settings/members`, () => Members(slug))
}

async function Members(slug: string) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/settings/members`)
  if (!roleAtLeast(workspace.role, 'admin')) {
    // A member may know the page exists; they are told why it is closed to them rather than shown a 404.
    return (
      <main>
        <h1>Members</h1>
        <p role="alert" className="notice error">
          Only admins and owners manage members.
        </p>
      </main>
    )
  }
  const [people, pending, plan] = await Promise.all([members.list(ctx), invitations.list(ctx), billing.usage(ctx)])
  const me = ctx.actor.userId
  const invitable = workspace.role === 'owner' ? (['member', 'admin', 'owner'] as const) : (['member', 'admin'] as const)
  return (
    <main>
      <h1>Members</h1>
      <section className="card" aria-labelledby="people">
        <h2 id="people">People in {workspace.name}</h2>
        {/* A list, not a table: on a phone each person wraps onto lines of their own instead of widening the page. */}
        <ul className="list-plain">
          {people.items.map((member) => {
            // Show only what the viewer may do: an admin cannot change or remove an owner, nor make anyone owner.
            // The service decides again on every post (an owner for owners; never the last owner).
            const manageable = workspace.role === 'owner' || member.role !== 'owner'
            return (
              <li key={member.userId} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
                <div className="min-w-0">
                  <p className="m-0 font-medium">
                    {member.name}
                    {member.userId === me && <span className="meta"> (you)</span>} <Badge>{ROLE_NAMES[member.role]}</Badge>
                  </p>
                  <p className="m-0 text-sm break-all text-muted">{member.email}</p>
                  <p className="m-0 meta">
                    Joined <LocalTime iso={member.joinedAt} />
                  </p>
                </div>
                {manageable && (
                  <div className="row-actions">
                    <ChangeRoleForm action={changeMemberRoleAction} workspace={workspace.slug} member={member} roles={invitable} />
                    {member.userId !== me && <RemoveMemberForm action={removeMemberAction} workspace={workspace.slug} member={member} />}
                  </div>
                )}
              </li>
            )
          })}
        </ul>
      </section>
      {workspace.role === 'owner' && people.items.some((m) => m.userId !== me && m.role !== 'owner') && (
        <section className="card" aria-labelledby="transfer">
          <h2 id="transfer">Transfer ownership</h2>
          <TransferOwnershipForm
            action={transferOwnershipAction}
            workspace={workspace.slug}
            candidates={people.items.filter((m) => m.userId !== me && m.role !== 'owner')}
          />
        </section>
      )}
      <div className="grid two">
        <section className="card" aria-labelledby="invite">
          <h2 id="invite">Invite someone</h2>
          <InviteForm action={createInvitationAction} workspace={workspace.slug} roles={invitable} />
          <UsageNote
            used={plan.usage.seats}
            allowed={plan.usage.seatsAllowed}
            what="seats"
            planName={plan.planName}
            billingHref={workspace.role === 'owner' ? `/w/${workspace.slug}/settings/billing` : null}
          />
        </section>
        <section className="card" aria-labelledby="pending">
          <h2 id="pending">Pending invitations</h2>
          {pending.items.length === 0 ? (
            <p className="empty">No pending invitations.</p>
          ) : (
            <ul className="invitation-list">
              {pending.items.map((invitation) => (
                <li key={invitation.id}>
                  <p>
                    <strong>{invitation.email}</strong> as {ROLE_NAMES[invitation.role].toLowerCase()}{' '}
                    {invitation.status === 'expired' && <span className="badge">expired</span>}
                  </p>
                  <p className="meta">
                    Expires <LocalTime iso={invitation.expiresAt} /> · E-mail: {MAIL_STATES[invitation.mail]}
                  </p>
                  <div className="row-actions">
                    <ResendInvitationButton action={resendInvitationAction} workspace={workspace.slug} invitation={invitation} />
                    <RevokeInvitationButton action={revokeInvitationAction} workspace={workspace.slug} invitation={invitation} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  )
}
