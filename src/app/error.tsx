'use client'
// Shown when rendering a page fails unexpectedly; the digest matches the server's log line.

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="narrow">
      <h1>Something went wrong</h1>
      <p>We could not show this page. Try again in a moment.</p>
      {error.digest && <p className="meta">Reference: {error.digest}</p>}
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </main>
  )
}
