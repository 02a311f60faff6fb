import type { Metadata } from 'next'
import Link from 'next/link'
import { DeleteFileForm, FileUploadForm } from '@/components/file-forms'
import { DeleteProjectForm, EditProjectForm } from '@/components/project-forms'
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { roleAtLeast } from '@/server/services/context'
import * as files from '@/server/services/files'
import { workspacePlan } from '@/server/services/plans'
import * as projects from '@/server/services/projects'
import { UPLOAD_OUTCOMES, type UploadOutcome } from '@/server/transports/app-file-routes'
import { deleteFileAction, deleteProjectAction, updateProjectAction } from '../../../actions'
import { currentWorkspace, notFoundIfMissing } from '../../current'

export const metadata: Metadata = { title: 'Project' }

type Props = { params: Promise<{ slug: string; id: string }>; searchParams: Promise<{ upload?: string }> }

export default async function ProjectPage({ params, searchParams }: Props) {
  const { slug, id } = await params
  const { upload } = await searchParams
  return unlessUnavailable(`/w/${encodeURIComponent(slug)}/projects/${encodeURIComponent(id)}`, () => Project(slug, id, upload))
}

const isOutcome = (value: string | undefined): value is UploadOutcome => value !== undefined && Object.hasOwn(UPLOAD_OUTCOMES, value)

async function Project(slug: string, id: string, upload: string | undefined) {
  const { ctx, workspace } = await currentWorkspace(slug, `/w/${slug}/projects/${id}`)
  // Another workspace's project and no project look the same: 404, so ids reveal nothing.
  const project = await projects.get(ctx, { id }).catch(notFoundIfMissing)
  const [{ items }, plan] = await Promise.all([files.list(ctx, { id }), workspacePlan(ctx.db, workspace.id)])
  const base = `/api/w/${encodeURIComponent(workspace.slug)}/projects/${encodeURIComponent(project.id)}/files`
  const mayDeleteAny = roleAtLeast(workspace.role, 'admin')
  return (
    <main>
      <p>
        <Link href={`/w/${workspace.slug}`}>← All projects</Link>
      </p>
      <h1>{project.name}</h1>
      <section className="card" aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        {isOutcome(upload) && (
          <p className={upload === 'ok' ? 'notice success' : 'notice error'} role={upload === 'ok' ? 'status' : 'alert'}>
            {UPLOAD_OUTCOMES[upload]}
          </p>
        )}
        {items.length === 0 ? (
          <p className="empty">No files yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Size</th>
                  <th scope="col">Uploaded</th>
                  <th scope="col">By</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((file) => (
                  <tr key={file.id}>
                    <td>
                      <a href={`${base}/${file.id}`} download={file.name}>
                        {file.name}
                      </a>
                    </td>
                    <td>{files.formatBytes(file.size)}</td>
                    <td>
                      <LocalTime iso={file.createdAt} />
                    </td>
                    <td>{file.uploaderName ?? 'a former member'}</td>
                    <td>
                      {(mayDeleteAny || file.uploadedBy === ctx.actor.userId) && (
                        <DeleteFileForm action={deleteFileAction} workspace={workspace.slug} file={file} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <FileUploadForm action={base} limitLabel={files.formatBytes(plan.uploadBytes)} />
      </section>
      <section className="card" aria-label="Edit project">
        <EditProjectForm action={updateProjectAction} project={project} workspace={workspace.slug} />
      </section>
      <DeleteProjectForm action={deleteProjectAction} project={project} workspace={workspace.slug} />
    </main>
  )
}
