'use client'
// "Try it": sends one operation's request to this site's own API with the token the reader pasted, and shows the
// status, headers and body. The only script the reference loads; without JavaScript the form stays disabled and the
// curl command beside it does the same job.
import { type FormEvent, useEffect, useId, useState, useSyncExternalStore } from 'react'
import { currentToken, keepToken, serverKept, serverToken, setToken, subscribe, tokenKept } from './token-store'
import styles from './try-it.module.css'

export type TryItField = { name: string; label: string; required: boolean; placeholder?: string }

export type TryItProps = {
  method: string
  /** The path template, `/api/v1/projects/{id}`: always under /api/v1/ on this origin. */
  path: string
  pathFields: TryItField[]
  queryFields: TryItField[]
  /** Request headers the operation reads (If-Match, If-None-Match, Range, Last-Event-ID), all optional. */
  headerFields: TryItField[]
  body: { media: 'application/json'; example: string } | { media: 'multipart/form-data' } | null
  /** An event stream is read for this long, then closed: it would otherwise never end. */
  streamSeconds?: number
}

type Result =
  | { kind: 'answer'; status: number; statusText: string; headers: [string, string][]; body: string; note?: string }
  | { kind: 'failure'; message: string }

// Large enough for any JSON answer the API gives (a page of 100 projects); a download is shown by size only.
const MAX_SHOWN_BYTES = 256 * 1024
const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?json\b)/

/** The request URL, on this origin and under /api/v1/ only: the token is sent nowhere else. */
function requestUrl(path: string, values: Record<string, string>, queryFields: TryItField[]): URL {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''))
  const url = new URL(filled, window.location.origin)
  for (const field of queryFields) {
    const value = values[field.name]
    if (value) url.searchParams.set(field.name, value)
  }
  if (url.origin !== window.location.origin || !url.pathname.startsWith('/api/v1/'))
    throw new Error('Refusing to send the token off this API.')
  return url
}

async function readBody(response: Response, streamSeconds: number): Promise<{ body: string; note?: string }> {
  const type = response.headers.get('content-type') ?? ''
  if (!response.body) return { body: '' }
  const textual = TEXTUAL.test(type)
  const stream = type.startsWith('text/event-stream')
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  let note: string | undefined
  const stop = stream
    ? setTimeout(() => {
        note = `The stream was closed by this page after ${streamSeconds} s.`
        void reader.cancel()
      }, streamSeconds * 1000)
    : undefined
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength
      if (textual && size <= MAX_SHOWN_BYTES) text += decoder.decode(chunk.value, { stream: true })
      else if (textual) {
        note = `Only the first ${MAX_SHOWN_BYTES / 1024} KiB are shown.`
        await reader.cancel()
        break
      }
    }
  } finally {
    clearTimeout(stop)
  }
  // A 204 or 304 may still come with an empty body stream.
  if (size === 0) return { body: '', note }
  if (!textual) return { body: `(${size} bytes of ${type || 'an unnamed type'})` }
  text += decoder.decode()
  if (!type.includes('json')) return { body: text, note }
  try {
    return { body: JSON.stringify(JSON.parse(text), null, 2), note }
  } catch {
    return { body: text, note }
  }
}

export function TryIt({ method, path, pathFields, queryFields, headerFields, body, streamSeconds = 5 }: TryItProps) {
  const id = useId()
  const token = useSyncExternalStore(subscribe, currentToken, serverToken)
  const kept = useSyncExternalStore(subscribe, tokenKept, serverKept)
  // Rendered on the server disabled: a form that cannot send without JavaScript should not look as if it could.
  const [ready, setReady] = useState(false)
  const [sending, setSending] = useState(false)
  const [result, setResult] = useState<Result | null>(null)
  useEffect(() => setReady(true), [])

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const fields = [...pathFields, ...queryFields, ...headerFields]
    const values = Object.fromEntries(fields.map((f) => [f.name, String(form.get(f.name) ?? '').trim()]))
    const headers = new Headers()
    for (const field of headerFields) if (values[field.name]) headers.set(field.name, values[field.name] ?? '')
    if (token.trim()) headers.set('Authorization', `Bearer ${token.trim()}`)
    let requestBody: BodyInit | undefined
    if (body?.media === 'application/json') {
      headers.set('Content-Type', 'application/json')
      requestBody = String(form.get('body') ?? '')
    } else if (body?.media === 'multipart/form-data') {
      const upload = new FormData()
      const file = form.get('file')
      if (file instanceof File) upload.append('file', file, file.name)
      requestBody = upload
    }
    setSending(true)
    try {
      const response = await fetch(requestUrl(path, values, queryFields), {
        method,
        headers,
        body: requestBody,
        // The API takes bearer tokens only; the session cookie has no business there.
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
      })
      const { body: text, note } = await readBody(response, streamSeconds)
      setResult({
        kind: 'answer',
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
        body: text,
        note,
      })
    } catch (error) {
      setResult({ kind: 'failure', message: error instanceof Error ? error.message : String(error) })
    } finally {
      setSending(false)
    }
  }

  return (
    <form className={styles.form} onSubmit={send} aria-label={`Try ${method} ${path}`}>
      {!ready && <p className={styles.note}>Sending a request from this page needs JavaScript; the curl command does the same.</p>}
      <fieldset disabled={!ready || sending} className={styles.fields}>
        <label htmlFor={`${id}-token`}>API token</label>
        <input
          id={`${id}-token`}
          name="token"
          type="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="tf_…"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <label className={styles.check}>
          <input type="checkbox" checked={kept} onChange={(e) => keepToken(e.target.checked)} /> Keep the token in this tab (sessionStorage)
        </label>
        {[...pathFields, ...queryFields, ...headerFields].map((field) => (
          <div key={field.name} className={styles.field}>
            <label htmlFor={`${id}-${field.name}`}>{field.label}</label>
            <input
              id={`${id}-${field.name}`}
              name={field.name}
              required={field.required}
              placeholder={field.placeholder}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        ))}
        {body?.media === 'application/json' && (
          <>
            <label htmlFor={`${id}-body`}>Body (JSON)</label>
            <textarea
              id={`${id}-body`}
              name="body"
              rows={Math.min(12, body.example.split('\n').length + 1)}
              defaultValue={body.example}
              spellCheck={false}
            />
          </>
        )}
        {body?.media === 'multipart/form-data' && (
          <>
            <label htmlFor={`${id}-file`}>File</label>
            <input id={`${id}-file`} name="file" type="file" required />
          </>
        )}
        <button type="submit" className={styles.send}>
          {sending ? 'Sending…' : `Send ${method}`}
        </button>
      </fieldset>
      <div aria-live="polite" className={styles.result}>
        {result?.kind === 'failure' && <p role="alert">The request failed: {result.message}</p>}
        {result?.kind === 'answer' && (
          <>
            <p className={styles.status}>
              Status <output>{`${result.status} ${result.statusText}`.trim()}</output>
            </p>
            <details className={styles.headers} open>
              <summary>Response headers ({result.headers.length})</summary>
              <pre>{result.headers.map(([name, value]) => `${name}: ${value}`).join('\n')}</pre>
            </details>
            {result.note && <p className={styles.note}>{result.note}</p>}
            <p className={styles.caption}>Response body</p>
            <pre className={styles.body}>{result.body || '(no body)'}</pre>
          </>
        )}
      </div>
    </form>
  )
}
