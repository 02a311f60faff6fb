import type { Metadata } from 'next'
import {
  ChangeEmailForm,
  ChangePasswordForm,
  DeleteAccountForm,
  RenameAccountForm,
  ResendVerificationForm,
  RevokeOtherSessionsForm,
  RevokeSessionButton,
} from '@/components/account-forms'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { requireSession } from '@/server/runtime/next'
import * as settings from '@/server/services/account-settings'
import * as sessions from '@/server/services/sessions'
import {
  changeEmailAction,
  changePasswordAction,
  deleteAccountAction,
  renameAccountAction,
  resendVerificationAction,
  revokeOtherSessionsAction,
  revokeSessionAction,
} from './actions'

export const metadata: Metadata = { title: 'Account and security' }

const PAGE = '/settings/account'

export default function AccountSettingsPage() {
  return unlessUnavailable(PAGE, AccountSettings)
}

async function AccountSettings() {
  const ctx = await requireSession(PAGE)
  const [me, list] = await Promise.all([settings.profile(ctx), sessions.list(ctx)])
  const others = list.items.filter((s) => !s.current).length
  return (
    <main>
      <h1>Account and security</h1>
      <div className="grid two">
        <section className="card" aria-labelledby="profile">
          <h2 id="profile">Name</h2>
          <RenameAccountForm action={renameAccountAction} name={me.name} />
        </section>

        <section className="card" aria-labelledby="email">
          <h2 id="email">Email</h2>
          <p>
            Your address is <strong>{me.email}</strong>{' '}
            {me.emailVerified ? <span className="badge">Confirmed</span> : <span className="badge warning">Not confirmed</span>}
          </p>
          {!me.emailVerified && <ResendVerificationForm action={resendVerificationAction} />}
          {me.hasPassword && <ChangeEmailForm action={changeEmailAction} />}
        </section>

        {me.hasPassword && (
          <section className="card" aria-labelledby="password">
            <h2 id="password">Password</h2>
            <p>Changing it signs you out on every other device. API tokens keep working.</p>
            <ChangePasswordForm action={changePasswordAction} />
          </section>
        )}
      </div>

      <section className="card" aria-labelledby="sessions">
        <h2 id="sessions">Where you are signed in</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col" className="hidden sm:table-cell">
                  Signed in
                </th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.device} {s.current && <span className="badge">This device</span>}
                  </td>
                  <td>{s.ipAddress ?? 'Unknown'}</td>
                  <td className="hidden sm:table-cell">
                    <LocalTime iso={s.createdAt} />
                  </td>
                  <td>
                    <LocalTime iso={s.lastActiveAt} />
                  </td>
                  <td>{!s.current && <RevokeSessionButton action={revokeSessionAction} id={s.id} device={s.device} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <RevokeOtherSessionsForm action={revokeOtherSessionsAction} others={others} />
      </section>

      <section className="card" aria-labelledby="delete">
        <h2 id="delete">Delete account</h2>
        <p>
          This deletes your account, your sessions and API tokens, your memberships, and every workspace where you are the only member, with
          its projects. It cannot be undone. While you are the last owner of a workspace that has other members, make someone else an owner
          there first.
        </p>
        <DeleteAccountForm action={deleteAccountAction} email={me.email} hasPassword={me.hasPassword} />
      </section>
    </main>
  )
}
