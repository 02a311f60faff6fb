import type { Metadata } from 'next'
import Link from 'next/link'
import { CreateTokenForm, RevokeTokenButton } from '@/components/token-forms'
import { Badge } from '@/components/ui/badge'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { roleAtLeast, SCOPES } from '@/server/services/context'
import * as tokens from '@/server/services/tokens'
import { createTokenAction, revokeTokenAction } from '../../../actions'
import { currentWorkspace } from '../../current'

export const metadata: Metadata = { title: 'API tokens' }

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
            // A list of cards, not a wide table: every field and the Revoke button stay inside the viewport at any width.
            <ul className="list-plain">
              {list.map((token) => {
                const state = status(token, now)
                return (
                  <li key={token.id} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
                    <div className="min-w-0">
                      <p className="m-0 font-medium">
                        {token.name} <Badge variant={state === 'Active' ? 'success' : 'default'}>{state}</Badge>
                      </p>
                      <dl className="m-0 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 text-sm text-muted [&_dd]:m-0 [&_dd]:break-words">
                        {everyone && (
                          <>
                            <dt>Created by</dt>
                            <dd>{token.createdBy ?? 'Former member'}</dd>
                          </>
                        )}
                        <dt>Prefix</dt>
                        <dd className="mono">{token.prefix}…</dd>
                        <dt>Scopes</dt>
                        <dd>{token.scopes.join(', ')}</dd>
                        <dt>Created</dt>
                        <dd>
                          <LocalTime iso={token.createdAt} />
                        </dd>
                        <dt>Last used</dt>
                        <dd>{token.lastUsedAt ? <LocalTime iso={token.lastUsedAt} /> : 'Never'}</dd>
                        <dt>Expires</dt>
                        <dd>{token.expiresAt ? <LocalTime iso={token.expiresAt} /> : 'Never'}</dd>
                      </dl>
                    </div>
                    {state === 'Active' && <RevokeTokenButton action={revokeTokenAction} token={token} workspace={workspace.slug} />}
                  </li>
                )
              })}
            </ul>
          )}
        </section>
      </div>
    </main>
  )
}
