import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { DeleteProjectForm, EditProjectForm } from '@/components/project-forms'
import { unlessUnavailable } from '@/components/unavailable-page'
import { NotFound } from '@/server/errors'
import { requireSession } from '@/server/operations/next'
import * as projects from '@/server/services/projects'
import { deleteProjectAction, updateProjectAction } from '../../actions'

export const metadata: Metadata = { title: 'Project' }

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return unlessUnavailable(`/dashboard/projects/${encodeURIComponent(id)}`, () => Project(id))
}

async function Project(id: string) {
  const ctx = await requireSession(`/dashboard/projects/${id}`)
  // Someone else's project and no project look the same: 404, so ids reveal nothing.
  const project = await projects.get(ctx, { id }).catch((error: unknown) => {
    if (error instanceof NotFound) return null
    throw error
  })
  if (!project) notFound()
  return (
    <main>
      <p>
        <Link href="/dashboard">← All projects</Link>
      </p>
      <h1>{project.name}</h1>
      <section className="card" aria-label="Edit project">
        <EditProjectForm action={updateProjectAction} project={project} />
      </section>
      <DeleteProjectForm action={deleteProjectAction} project={project} />
    </main>
  )
}
