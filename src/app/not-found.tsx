import Link from 'next/link'

export default function NotFoundPage() {
  return (
    <main className="narrow">
      <h1>Not found</h1>
      <p>There is nothing here, or it is not yours to see.</p>
      <p>
        <Link href="/dashboard">Back to your projects</Link>
      </p>
    </main>
  )
}
