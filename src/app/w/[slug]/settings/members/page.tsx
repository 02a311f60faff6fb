import type { Metadata } from 'next'
import { ChangeRoleForm, InviteForm, RemoveMemberForm, ResendInvitationButton, RevokeInvitationButton } from '@/components/member-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { roleAtLeast } from '@/server/services/context'
import * as invitations from '@/server/services/invitations'
import * as members from '@/server/services/members'
import {
  changeMemberRoleAction,
  createInvitationAction,
  removeMemberAction,
  resendInvitationAction,
  revokeInvitationAction,
} from '../../../actions'
import { currentWorkspace } from '../../current'

export const metadata: Metadata = { title: 'Members' }

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' })
const day = (iso: string) => dateFormat.format(new Date(iso))

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
  const [people, pending] = await Promise.all([members.list(ctx), invitations.list(ctx)])
  const me = ctx.actor.userId
  const invitable = workspace.role === 'owner' ? (['member', 'admin', 'owner'] as const) : (['member', 'admin'] as const)
  return (
    <main>
      <h1>Members</h1>
      <section className="card" aria-labelledby="people">
        <h2 id="people">People in {workspace.name}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Joined</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people.items.map((member) => {
                return (
                  <tr key={member.userId}>
                    <td>
                      {member.name}
                      {member.userId === me && <span className="meta"> (you)</span>}
                    </td>
                    <td>{member.email}</td>
                    <td>{ROLE_NAMES[member.role]}</td>
                    <td>{day(member.joinedAt)}</td>
                    <td className="row-actions">
                      {/* The service decides who may change whom (an owner for owners; never the last owner). */}
                      <ChangeRoleForm action={changeMemberRoleAction} workspace={workspace.slug} member={member} />
                      {member.userId !== me && <RemoveMemberForm action={removeMemberAction} workspace={workspace.slug} member={member} />}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </section>
      <div className="grid two">
        <section className="card" aria-labelledby="invite">
          <h2 id="invite">Invite someone</h2>
          <InviteForm action={createInvitationAction} workspace={workspace.slug} roles={invitable} />
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
                    Expires {day(invitation.expiresAt)} · E-mail: {MAIL_STATES[invitation.mail]}
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
