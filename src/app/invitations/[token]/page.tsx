import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { signOutAction } from '@/app/(auth)/actions'
import { AcceptInvitationForm } from '@/components/invitation-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { sessionContext } from '@/server/runtime/next'
import * as accounts from '@/server/services/accounts'
import * as invitations from '@/server/services/invitations'
import { acceptInvitationAction } from './actions'

export const metadata: Metadata = { title: 'Invitation', robots: { index: false } }

const ROLE_NAMES = { owner: 'an owner', admin: 'an admin', member: 'a member' } as const

/** An invitation link's page: anyone holding the link may see whom it invites where; accepting needs the invited account. */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  return unlessUnavailable(`/invitations/${encodeURIComponent(token)}`, () => Invitation(token))
}

async function Invitation(token: string) {
  const ctx = await sessionContext()
  const invitation = await invitations.preview(ctx.db, token, ctx.now())
  if (!invitation) notFound()
  const here = `/invitations/${encodeURIComponent(token)}`
  const me = ctx.actor.type === 'user' ? await accounts.me(ctx) : null
  const email = me?.user.email
  return (
    <main className="narrow">
      {/* A personal workspace bears its owner's name: "Join Grace Hopper" would read as joining a person. */}
      <h1>
        Join {invitation.workspaceName === invitation.invitedBy ? `${invitation.workspaceName}’s workspace` : invitation.workspaceName}
      </h1>
      <p>
        {invitation.invitedBy ?? 'Someone'} invited {invitation.email} as {ROLE_NAMES[invitation.role]}.
      </p>
      {invitation.state !== 'open' ? (
        <p role="alert" className="notice error">
          {invitations.NOT_USABLE[invitation.state]}
        </p>
      ) : !email ? (
        <div className="choices">
          <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className="button">
            Sign in to accept
          </Link>
          <Link href={`/sign-up?next=${encodeURIComponent(here)}`} className="button secondary">
            Create an account
          </Link>
        </div>
      ) : email.toLowerCase() !== invitation.email ? (
        // Only the invited account can accept, so no one else is offered the button (the service refuses them too).
        <div role="alert" className="notice error stack">
          <p>
            This invitation is for {invitation.email}, and you are signed in as {email}. Sign out, then sign in or create an account as{' '}
            {invitation.email} to accept it.
          </p>
          <form action={signOutAction}>
            <input type="hidden" name="next" value={here} />
            <button type="submit" className="button secondary">
              Sign out and switch account
            </button>
          </form>
        </div>
      ) : (
        <AcceptInvitationForm action={acceptInvitationAction} token={token} />
      )}
    </main>
  )
}
