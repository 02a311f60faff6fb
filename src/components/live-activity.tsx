'use client'
// The workspace page's live part: a feed of the latest activity, and a refresh of the page's server components
// (the project list) when another tab, member or API client changes a project. One EventSource per page; the
// browser reconnects by itself and resumes with Last-Event-ID. Without JavaScript the page shows what it rendered.
import { useRouter } from 'next/navigation'
import { useEffect, useRef, useState } from 'react'
import type { ActivityItem } from '@/server/services/activity-feed'
import { describeActivity } from './activity-text'
import { LocalTime } from './ui/local-time'

const SHOWN = 8
// Several changes in a burst (an API client creating ten projects) cost one refresh, not ten.
const REFRESH_DELAY_MS = 250

export function LiveActivity({ workspace, initial }: { workspace: string; initial: ActivityItem[] }) {
  const router = useRouter()
  const [received, setReceived] = useState<ActivityItem[]>([])
  const [connected, setConnected] = useState(false)
  // Where the stream starts: after the newest item this page was first rendered with, so nothing committed between
  // the render and the connection is missed. A refresh re-renders `initial`, but the open stream goes on.
  const startAfter = useRef(initial[0]?.id ?? 0)

  useEffect(() => {
    const after = startAfter.current
    const source = new EventSource(`/api/v1/events?workspace=${encodeURIComponent(workspace)}&after=${after}`)
    let refresh: ReturnType<typeof setTimeout> | undefined
    const refreshSoon = () => {
      clearTimeout(refresh)
      refresh = setTimeout(() => router.refresh(), REFRESH_DELAY_MS)
    }
    source.onopen = () => setConnected(true)
    source.onerror = () => setConnected(false)
    source.addEventListener('activity', (event) => {
      const item = JSON.parse(event.data) as ActivityItem
      setReceived((items) => [item, ...items.filter((i) => i.id !== item.id)].slice(0, SHOWN))
      if (item.kind.startsWith('project.') || item.kind.startsWith('workspace.')) refreshSoon()
    })
    // Too far behind to replay: reload what the page shows.
    source.addEventListener('reset', refreshSoon)
    return () => {
      clearTimeout(refresh)
      source.close()
    }
  }, [workspace, router])

  const seen = new Set(received.map((i) => i.id))
  const items = [...received, ...initial.filter((i) => !seen.has(i.id))].sort((a, b) => b.id - a.id).slice(0, SHOWN)
  return (
    <section className="card" aria-labelledby="live-activity">
      <h2 id="live-activity">
        Activity <span className={connected ? 'badge live' : 'badge'}>{connected ? 'Live' : 'Offline'}</span>
      </h2>
      {items.length === 0 ? (
        <p className="empty">Nothing yet.</p>
      ) : (
        <ul className="activity-list" aria-live="polite">
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
    </section>
  )
}
