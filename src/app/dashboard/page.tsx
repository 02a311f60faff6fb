import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { CreateProjectForm } from '@/components/project-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { ValidationError } from '@/server/errors'
import { requireSession } from '@/server/operations/next'
import * as projects from '@/server/services/projects'
import { createProjectAction } from './actions'

export const metadata: Metadata = { title: 'Projects' }

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

const PAGE_SIZE = 50

type SearchParams = { deleted?: string | string[]; after?: string | string[] }

export default async function DashboardPage(props: { searchParams: Promise<SearchParams> }) {
  return unlessUnavailable('/dashboard', () => Dashboard(props))
}

async function Dashboard({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireSession('/dashboard')
  const { deleted, after } = await searchParams
  const cursor = typeof after === 'string' ? after : undefined
  const { items, nextCursor } = await projects.list(ctx, { limit: PAGE_SIZE, cursor }).catch((error: unknown) => {
    // A stale or hand-edited `after` link: start again from the newest rather than fail.
    if (cursor && error instanceof ValidationError) redirect('/dashboard')
    throw error
  })
  return (
    <main>
      <h1>Projects</h1>
      {typeof deleted === 'string' && (
        <p role="status" className="notice success">
          Deleted “{deleted}”.
        </p>
      )}
      <div className="grid two">
        <section className="card" aria-labelledby="new-project">
          <h2 id="new-project">New project</h2>
          <CreateProjectForm action={createProjectAction} />
        </section>
        <section className="card" aria-labelledby="your-projects">
          <h2 id="your-projects">Your projects</h2>
          {items.length === 0 ? (
            <p className="empty">No projects yet.</p>
          ) : (
            <ul className="project-list">
              {items.map((project) => (
                <li key={project.id}>
                  <Link href={`/dashboard/projects/${project.id}`}>{project.name}</Link>
                  {project.description && <p>{project.description.slice(0, 140)}</p>}
                  <span className="meta">Created {dateFormat.format(new Date(project.createdAt))} UTC</span>
                </li>
              ))}
            </ul>
          )}
          {(cursor || nextCursor) && (
            <nav className="pager" aria-label="Pages of projects">
              {cursor && <Link href="/dashboard">Newest projects</Link>}
              {nextCursor && <Link href={`/dashboard?after=${encodeURIComponent(nextCursor)}`}>Older projects</Link>}
            </nav>
          )}
        </section>
      </div>
    </main>
  )
}
