'use client'
// Shown when rendering a page fails: most often the database is briefly out of reach (the server logs the cause
// under the same digest), so the page says so and offers a retry rather than a bare error.

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="narrow">
      <h1>Temporarily unavailable</h1>
      <p>We could not show this page just now. Please try again in a moment.</p>
      {error.digest && <p className="meta">Reference: {error.digest}</p>}
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </main>
  )
}
