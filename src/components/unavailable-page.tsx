// What a page that needs the database shows while the database is out of reach. Rendered on the server as plain
// HTML, so it reads the same with JavaScript off, where Next's error boundary (error.tsx) never renders, and answered
// 503 with Retry-After (through server.js), so no cache, crawler or load balancer takes it for the page.
import type { ReactNode } from 'react'
import { toAppError, Unavailable } from '@/server/errors'
import { markPageUnavailable } from '@/server/http/page-status'

export function UnavailablePage({ retryHref }: { retryHref: string }) {
  return (
    <main className="narrow">
      {/* React hoists this into <head>: an outage page must not replace the real one in a search index. */}
      <meta name="robots" content="noindex" />
      <h1>Temporarily unavailable</h1>
      <p>We could not show this page just now. Please try again in a moment.</p>
      <a href={retryHref} className="button">
        Try again
      </a>
    </main>
  )
}

/**
 * Renders a page, or UnavailablePage (whose "try again" goes to `retryHref`) if the database could not be reached while
 * rendering it, and marks the request for a 503 with Retry-After. Anything else (redirect, notFound, a bug) is thrown
 * on, to Next.
 */
export async function unlessUnavailable(retryHref: string, render: () => Promise<ReactNode>): Promise<ReactNode> {
  try {
    return await render()
  } catch (error) {
    const appError = toAppError(error)
    if (!(appError instanceof Unavailable)) throw error
    markPageUnavailable(appError.retryAfterSeconds)
    return <UnavailablePage retryHref={retryHref} />
  }
}
