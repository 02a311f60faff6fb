// What a page that needs the database shows while the database is out of reach. Rendered on the server as plain
// HTML, so it reads the same with JavaScript off, where Next's error boundary (error.tsx) never renders.
import type { ReactNode } from 'react'
import { toAppError } from '@/server/errors'

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
 * Renders a page, or UnavailablePage (whose "try again" goes to `retryHref`) if the database could not be reached while rendering it. Anything else
 * (redirect, notFound, a bug) is thrown on, to Next.
 */
export async function unlessUnavailable(retryHref: string, render: () => Promise<ReactNode>): Promise<ReactNode> {
  try {
    return await render()
  } catch (error) {
    if (toAppError(error).code === 'UNAVAILABLE') return <UnavailablePage retryHref={retryHref} />
    throw error
  }
}
