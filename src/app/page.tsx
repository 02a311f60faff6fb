import Link from 'next/link'

export default function LandingPage() {
  return (
    <main>
      <section className="hero">
        <h1>Twofold</h1>
        <p>
          Projects for your team, and an API for your apps: a SaaS foundation where every operation is defined once and served both ways.
        </p>
        <div className="actions">
          <Link href="/sign-up" className="button">
            Create account
          </Link>
          <Link href="/sign-in" className="button secondary">
            Sign in
          </Link>
        </div>
      </section>
      <section className="features" aria-label="Features">
        <div className="card">
          <h2>Works without JavaScript</h2>
          <p>Every form is a server action that posts, validates and answers even with scripts turned off.</p>
        </div>
        <div className="card">
          <h2>A real public API</h2>
          <p>Versioned REST with API tokens, ETags, pagination, rate limits and an OpenAPI document.</p>
        </div>
        <div className="card">
          <h2>One service layer</h2>
          <p>Business rules live in one place, called by pages, actions and routes alike.</p>
        </div>
      </section>
    </main>
  )
}
