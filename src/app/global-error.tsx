'use client'
// The last resort, when even the root layout fails: it replaces the whole document, so it brings its own <html>
// and <body> and no stylesheet it cannot count on. Without it Next shows its bare error page. No inline styles:
// the Content-Security-Policy (src/proxy.ts) would refuse them.

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main>
          <h1>Temporarily unavailable</h1>
          <p>Twofold cannot show this page just now. Please try again in a moment.</p>
          {error.digest && <p>Reference: {error.digest}</p>}
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  )
}
