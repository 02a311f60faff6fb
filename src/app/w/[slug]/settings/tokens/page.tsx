import type { Metadata } from 'next'
import Link from 'next/link'
import { CreateTokenForm, RevokeTokenButton } from '@/components/token-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { roleAtLeast, SCOPES } from '@/server/services/context'
import * as tokens from '@/server/services/tokens'
import { createTokenAction, revokeTokenAction } from '../../../actions'
import { currentWorkspace } from '../../current'

export const metadata: Metadata = { title: 'API tokens' }

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' })
const day = (iso: string | null, none: string) => (iso ? dateFormat.format(new Date(iso)) : none)

function status(token: tokens.ApiToken, now: Date): string {
  if (token.revokedAt) return 'Revoked'
  if (token.expiresAt && new Date(token.expiresAt) <= now) return 'Expired'
  return 'Active'
}

export default async function TokensPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/settings/tokens`, () => Tokens(slug))
}

async function Tokens(slug: string) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/settings/tokens`)
  const list = await tokens.list(ctx)
  const now = ctx.now()
  // Admins see (and may revoke) every member's tokens; members their own.
  const everyone = roleAtLeast(workspace.role, 'admin')
  return (
    <main>
      <h1>API tokens</h1>
      <p>
        Tokens let programs use the <Link href="/docs/api">Twofold API</Link> as you, in {workspace.name} only, limited to the scopes you
        choose. Send one as <code>Authorization: Bearer tf_…</code>.
      </p>
      <div className="grid two">
        <section className="card" aria-labelledby="new-token">
          <h2 id="new-token">Create a token</h2>
          <CreateTokenForm action={createTokenAction} scopes={SCOPES} expiryDays={tokens.EXPIRY_CHOICES_DAYS} workspace={workspace.slug} />
        </section>
        <section className="card" aria-labelledby="your-tokens">
          <h2 id="your-tokens">{everyone ? 'Tokens in this workspace' : 'Your tokens'}</h2>
          {list.length === 0 ? (
            <p className="empty">No tokens yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    {everyone && <th>Created by</th>}
                    <th>Prefix</th>
                    <th>Scopes</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>Expires</th>
                    <th>Status</th>
                    <th>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((token) => {
                    const state = status(token, now)
                    return (
                      <tr key={token.id}>
                        <td>{token.name}</td>
                        {everyone && <td>{token.createdBy ?? 'Former member'}</td>}
                        <td className="mono">{token.prefix}…</td>
                        <td>{token.scopes.join(', ')}</td>
                        <td>{day(token.createdAt, '')}</td>
                        <td>{day(token.lastUsedAt, 'Never')}</td>
                        <td>{day(token.expiresAt, 'Never')}</td>
                        <td>
                          <span className={state === 'Active' ? 'badge active' : 'badge'}>{state}</span>
                        </td>
                        <td>
                          {state === 'Active' && <RevokeTokenButton action={revokeTokenAction} token={token} workspace={workspace.slug} />}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </main>
  )
}
