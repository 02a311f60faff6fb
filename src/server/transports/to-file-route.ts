// The renderers on the API kernel (api-call.ts) for operations whose body or answer is a stream, not JSON: an upload
// (`body: 'multipart'`, read as it arrives) and a download (`answer: 'bytes'`: the stored bytes, with Range, ETag and
// a safe Content-Disposition). The app's own file routes (app-file-routes.ts) use the same pieces.
import { Readable } from 'node:stream'
import { NotFound, RangeNotSatisfiable } from '../errors'
import { contentDisposition, etagMatches, fileEtag, requestedRange } from '../http/download'
import { openMultipartUpload } from '../http/multipart'
import { problemResponse } from '../http/problem'
import type { Operation } from '../operations/operation'
import { FileInfo, type OpenedFile, OpenedFileSchema } from '../services/files'
import { parseInput } from '../services/parse'
import { type ApiCall, type ApiDeps, apiCall, type RouteHandler } from './api-call'

/**
 * Hands the request's file part to the upload operation as it streams in. The caller's right to the path's resource
 * is checked first (the declaration's `beforeBody`), with the body unread; whatever happens after, every stream of
 * the request is released.
 */
export async function runUpload(op: Operation, call: ApiCall, params: Record<string, string> = call.params): Promise<FileInfo> {
  await op.http?.beforeBody?.(call.ctx, params)
  const upload = await openMultipartUpload(call.request)
  try {
    const input = parseInput(op.input, { ...params, name: upload.name, body: upload.body })
    // The upload operation's output is a file's description (operations/files.ts).
    return FileInfo.parse(await op.run(call.ctx, input))
  } finally {
    upload.close()
  }
}

/** POST: 201 with the file's description and its Location. */
export function toUploadRoute(op: Operation, deps: ApiDeps): RouteHandler {
  return (request) =>
    apiCall(request, op, deps, async (call) => {
      const file = await runUpload(op, call)
      const location = new URL(`${call.url.pathname.replace(/\/$/, '')}/${file.id}`, call.ctx.appUrl)
      call.headers.set('Location', location.toString())
      call.headers.set('Cache-Control', 'no-store')
      call.headers.set('Content-Type', 'application/json')
      return new Response(JSON.stringify(file), { status: 201, headers: call.headers })
    })
}

/** GET: the file's bytes (200), a range of them (206), 304 for a current copy, 416 for a range past the end. */
export function toDownloadRoute(op: Operation, deps: ApiDeps): RouteHandler {
  return (request) =>
    apiCall(request, op, deps, async (call) => {
      const opened = await openForDownload(op, call)
      call.headers.set('Vary', 'Authorization')
      return await downloadResponse(request, opened, call.headers)
    })
}

/** Runs a download operation: the file's description and a way to read its bytes. */
export async function openForDownload(op: Operation, call: ApiCall, params: Record<string, string> = call.params): Promise<OpenedFile> {
  return OpenedFileSchema.parse(await op.run(call.ctx, parseInput(op.input, params)))
}

/**
 * The answer for a download, shared by the API and the app's own download route. Always an attachment, with the
 * content type decided at upload, nosniff and a sandbox: an uploaded file never renders as a page of our origin.
 */
export async function downloadResponse(request: Request, opened: OpenedFile, headers: Headers): Promise<Response> {
  const { file } = opened
  const etag = fileEtag(file.sha256)
  headers.set('ETag', etag)
  headers.set('Accept-Ranges', 'bytes')
  headers.set('Cache-Control', 'private, no-cache')
  headers.set('Content-Disposition', contentDisposition(file.name))
  headers.set('X-Content-Type-Options', 'nosniff')
  headers.set('Content-Security-Policy', "default-src 'none'; sandbox")
  if (etagMatches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers })

  // If-Range: a range only of the version the client holds; otherwise the whole new one.
  const ifRange = request.headers.get('if-range')
  const rangeHeader = ifRange !== null && ifRange !== etag ? null : request.headers.get('range')
  const wanted = requestedRange(rangeHeader, file.size)
  if (wanted.kind === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${file.size}`)
    return problemResponse(new RangeNotSatisfiable(file.size), headers.get('X-Request-Id') ?? '', headers)
  }
  const range = wanted.kind === 'partial' ? wanted.range : undefined
  const body = await opened.read(range)
  if (!body) throw new NotFound('File')
  headers.set('Content-Type', file.contentType)
  if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
  const length = String(range ? range.end - range.start + 1 : file.size)
  headers.set('Content-Length', length)
  // Next drops Content-Length from route handlers' answers; server.js restores it from this (and removes this).
  headers.set('X-Content-Length', length)
  request.signal?.addEventListener('abort', () => body.destroy(), { once: true })
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, { status: range ? 206 : 200, headers })
}
