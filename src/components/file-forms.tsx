'use client'
// Uploading a file to a project, and deleting one. The upload form is a plain multipart form that posts to the app's
// upload route (it works with JavaScript off, and the route redirects back); with JavaScript the same request goes
// through XMLHttpRequest, whose upload events drive a progress bar, and a file may be dropped on the form.
import { useRouter } from 'next/navigation'
import { type DragEvent, type FormEvent, useActionState, useRef, useState } from 'react'
import type { ActionResult } from '@/server/http/action-result'
import type { FileInfo } from '@/server/services/files'
import { SubmitButton } from './form'
import { ConfirmDisclosure } from './ui/confirm'

type Progress =
  | { state: 'idle' }
  | { state: 'sending'; loaded: number; total: number }
  | { state: 'done'; name: string }
  | { state: 'failed'; message: string }

function problemMessage(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText) as { detail?: unknown; errors?: Record<string, unknown> }
    const fieldMessage = Object.values(body.errors ?? {}).flat()[0]
    if (typeof fieldMessage === 'string') return fieldMessage
    if (typeof body.detail === 'string') return body.detail
  } catch {
    // Not a problem document: say so plainly below.
  }
  return `The upload failed (${xhr.status || 'no answer'}). Try again.`
}

export function FileUploadForm({ action, limitLabel }: { action: string; limitLabel: string }) {
  const router = useRouter()
  const input = useRef<HTMLInputElement>(null)
  const [progress, setProgress] = useState<Progress>({ state: 'idle' })
  const [dragging, setDragging] = useState(false)

  const send = (file: File) => {
    const form = new FormData()
    form.set('file', file, file.name)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', action)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (event) =>
      setProgress({ state: 'sending', loaded: event.loaded, total: event.lengthComputable ? event.total : file.size })
    xhr.onload = () => {
      if (xhr.status === 201) {
        setProgress({ state: 'done', name: file.name })
        if (input.current) input.current.value = ''
        router.refresh()
      } else {
        setProgress({ state: 'failed', message: problemMessage(xhr) })
      }
    }
    xhr.onerror = () => setProgress({ state: 'failed', message: 'The connection was lost during the upload. Try again.' })
    setProgress({ state: 'sending', loaded: 0, total: file.size })
    xhr.send(form)
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const file = input.current?.files?.[0]
    if (file) send(file)
    else setProgress({ state: 'failed', message: 'Choose a file to upload.' })
  }
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    event.preventDefault()
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file) send(file)
  }

  const sending = progress.state === 'sending'
  return (
    <form
      method="post"
      action={action}
      encType="multipart/form-data"
      onSubmit={onSubmit}
      onDragOver={(event) => {
        event.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={dragging ? 'drop-zone dragging' : 'drop-zone'}
      aria-label="Upload a file"
    >
      <p className="hint">Drop a file here, or choose one. Up to {limitLabel} on your plan.</p>
      <div className="field">
        <label htmlFor="field-file">File</label>
        <input id="field-file" ref={input} type="file" name="file" required />
      </div>
      {sending && (
        <p>
          <progress value={progress.loaded} max={progress.total || 1} aria-label="Upload progress" />{' '}
          <span className="meta">{Math.round((progress.loaded / (progress.total || 1)) * 100)}%</span>
        </p>
      )}
      {progress.state === 'done' && (
        <p className="notice success" role="status">
          Uploaded {progress.name}.
        </p>
      )}
      {progress.state === 'failed' && (
        <p className="notice error" role="alert">
          {progress.message}
        </p>
      )}
      <button type="submit" className="button" disabled={sending}>
        {sending ? 'Uploading…' : 'Upload'}
      </button>
    </form>
  )
}

type DeleteAction = (previous: ActionResult<FileInfo> | null, form: FormData) => Promise<ActionResult<FileInfo>>

export function DeleteFileForm({
  action,
  workspace,
  file,
}: {
  action: DeleteAction
  workspace: string
  file: { id: string; projectId: string; name: string }
}) {
  const [state, formAction] = useActionState(action, null)
  return (
    <form action={formAction}>
      <input type="hidden" name="workspace" value={workspace} />
      <input type="hidden" name="id" value={file.projectId} />
      <input type="hidden" name="fileId" value={file.id} />
      <ConfirmDisclosure
        id={`file-${file.id}`}
        label="Delete"
        ariaLabel={`Delete ${file.name}`}
        open={state !== null && !state.ok}
        check="Delete this file for good"
        submit={
          <SubmitButton pending="Deleting…" variant="danger">
            Delete file
          </SubmitButton>
        }
      >
        <p className="m-0">
          <strong className="break-all">{file.name}</strong> will be deleted.
        </p>
        {state && !state.ok && (
          <p role="alert" className="field-error">
            {state.error.message}
          </p>
        )}
      </ConfirmDisclosure>
    </form>
  )
}
