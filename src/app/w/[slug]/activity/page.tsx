import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { describeActivity } from '@/components/activity-text'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { toAppError } from '@/server/errors'
import * as activity from '@/server/services/activity-feed'
import { currentWorkspace } from '../current'

export const metadata: Metadata = { title: 'Activity' }

const PAGE_SIZE = 50

type Params = Promise<{ slug: string }>
type SearchParams = Promise<{ before?: string | string[] }>

export default async function ActivityPage(props: { params: Params; searchParams: SearchParams }) {
  const { slug } = await props.params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/activity`, () => Activity(slug, props.searchParams))
}

async function Activity(slug: string, searchParams: SearchParams) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/activity`)
  const home = `/w/${workspace.slug}/activity`
  const { before } = await searchParams
  const cursor = typeof before === 'string' ? before : undefined
  const { items, nextCursor } = await activity.list(ctx, { limit: PAGE_SIZE, cursor }).catch((error: unknown) => {
    // A hand-edited `before` link: start again from the newest rather than fail.
    if (cursor && toAppError(error).code === 'VALIDATION') redirect(home)
    throw error
  })
  return (
    <main>
      <h1>Activity</h1>
      <section className="card" aria-labelledby="all-activity">
        <h2 id="all-activity">What changed in {workspace.name}</h2>
        {items.length === 0 ? (
          <p className="empty">Nothing has happened here yet.</p>
        ) : (
          <ul className="activity-list">
            {items.map((item) => (
              <li key={item.id}>
                {describeActivity(item)}{' '}
                <span className="meta">
                  <LocalTime iso={item.createdAt} />
                </span>
              </li>
            ))}
          </ul>
        )}
        {(cursor || nextCursor) && (
          <nav className="pager" aria-label="Pages of activity">
            {cursor && <Link href={home}>Newest</Link>}
            {nextCursor && <Link href={`${home}?before=${encodeURIComponent(nextCursor)}`}>Older</Link>}
          </nav>
        )}
      </section>
    </main>
  )
}
