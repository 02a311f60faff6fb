import type { Metadata } from 'next'
import Link from 'next/link'
import { DeleteProjectForm, EditProjectForm } from '@/components/project-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import * as projects from '@/server/services/projects'
import { deleteProjectAction, updateProjectAction } from '../../../actions'
import { currentWorkspace, notFoundIfMissing } from '../../current'

export const metadata: Metadata = { title: 'Project' }

export default async function ProjectPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/projects/${encodeURIComponent(id)}`, () => Project(slug, id))
}

async function Project(slug: string, id: string) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/projects/${id}`)
  // Another workspace's project and no project look the same: 404, so ids reveal nothing.
  const project = await projects.get(ctx, { id }).catch(notFoundIfMissing)
  return (
    <main>
      <p>
        <Link href={`/w/${workspace.slug}`}>← All projects</Link>
      </p>
      <h1>{project.name}</h1>
      <section className="card" aria-label="Edit project">
        <EditProjectForm action={updateProjectAction} project={project} workspace={workspace.slug} />
      </section>
      <DeleteProjectForm action={deleteProjectAction} project={project} workspace={workspace.slug} />
    </main>
  )
}
