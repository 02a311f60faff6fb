import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { LiveActivity } from '@/components/live-activity'
import { UsageNote } from '@/components/plan-usage'
import { CreateProjectForm } from '@/components/project-forms'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { toAppError } from '@/server/errors'
import * as activity from '@/server/services/activity-feed'
import * as projects from '@/server/services/projects'
import * as billing from '@/server/services/workspace-billing'
import { createProjectAction } from '../actions'
import { currentWorkspace } from './current'

export const metadata: Metadata = { title: 'Projects' }

const PAGE_SIZE = 50

type Params = Promise<{ slug: string }>
type SearchParams = Promise<{ deleted?: string | string[]; after?: string | string[]; joined?: string | string[] }>

export default async function WorkspacePage(props: { params: Params; searchParams: SearchParams }) {
  const { slug } = await props.params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}`, () => Projects(slug, props.searchParams))
}

async function Projects(slug: string, searchParams: SearchParams) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}`)
  const home = `/w/${workspace.slug}`
  const { deleted, after, joined } = await searchParams
  const cursor = typeof after === 'string' ? after : undefined
  const { items, nextCursor } = await projects.list(ctx, { limit: PAGE_SIZE, cursor }).catch((error: unknown) => {
    // A stale or hand-edited `after` link: start again from the newest rather than fail.
    if (cursor && toAppError(error).code === 'VALIDATION') redirect(home)
    throw error
  })
  const [recent, plan] = await Promise.all([activity.list(ctx, { limit: 8 }), billing.usage(ctx)])
  return (
    <main>
      <h1>Projects</h1>
      {joined === '1' && (
        <p role="status" className="notice success">
          You joined {workspace.name}.
        </p>
      )}
      {typeof deleted === 'string' && (
        <p role="status" className="notice success">
          Deleted “{deleted}”.
        </p>
      )}
      {/* The list first: on a phone it is what people came for; the form follows it. */}
      <div className="grid gap-6 md:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section className="card" aria-labelledby="your-projects">
          <h2 id="your-projects">Your projects</h2>
          {items.length === 0 ? (
            <p className="empty">No projects yet.</p>
          ) : (
            <ul className="project-list">
              {items.map((project) => (
                <li key={project.id}>
                  <Link href={`${home}/projects/${project.id}`}>{project.name}</Link>
                  {project.description && <p>{project.description.slice(0, 140)}</p>}
                  <p className="meta">
                    Created <LocalTime iso={project.createdAt} />
                  </p>
                </li>
              ))}
            </ul>
          )}
          {(cursor || nextCursor) && (
            <nav className="pager" aria-label="Pages of projects">
              {cursor && <Link href={home}>Newest projects</Link>}
              {nextCursor && <Link href={`${home}?after=${encodeURIComponent(nextCursor)}`}>Older projects</Link>}
            </nav>
          )}
        </section>
        <section className="card" aria-labelledby="new-project">
          <h2 id="new-project">New project</h2>
          <CreateProjectForm action={createProjectAction} workspace={workspace.slug} />
          <UsageNote
            used={plan.usage.projects}
            allowed={plan.usage.projectsAllowed}
            what="projects"
            planName={plan.planName}
            billingHref={workspace.role === 'owner' ? `${home}/settings/billing` : null}
          />
        </section>
      </div>
      <LiveActivity workspace={workspace.slug} initial={recent.items} />
    </main>
  )
}
