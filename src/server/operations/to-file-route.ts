// Route adapters for operations whose body or answer is a stream, not JSON: an upload (multipart/form-data read as
// it arrives) and a download (the stored bytes, with Range, ETag and a safe Content-Disposition). They keep toRoute's
// conventions — bearer token, rate limit, scope, problem+json, request id, one log line — and are chosen by the
// operation's `http.stream` (see mountRoutes).
import { Readable } from 'node:stream'
import { NotFound, RangeNotSatisfiable } from '../errors'
import { applyCorsHeaders } from '../http/cors'
import { contentDisposition, etagMatches, fileEtag, requestedRange } from '../http/download'
import { openMultipartUpload } from '../http/multipart'
import { problemResponse } from '../http/problem'
import type { ServiceContext } from '../services/context'
import { FileInfo, type OpenedFile, OpenedFileSchema } from '../services/files'
import { parseInput } from '../services/parse'
import type { Operation } from './operation'
import { authorizeApiCall, failure, logged, pathMatcher, type RouteDeps, type RouteHandler } from './to-route'

type Called = { ctx: ServiceContext; params: Record<string, string>; url: URL; appUrl?: string }

/** What toRoute does before reading a body: the path's parameters, then the caller (authorizeApiCall). */
async function apiCall(request: Request, op: Operation, deps: RouteDeps, headers: Headers): Promise<Called> {
  const http = op.http
  if (!http) throw new Error(`${op.name} has no HTTP shape`)
  const url = new URL(request.url)
  const params = pathMatcher(http.path)(url.pathname)
  if (!params) throw new NotFound('Resource')
  const runtime = await deps.runtime()
  const actor = await authorizeApiCall(request, op, runtime, deps.now(), headers)
  return { ctx: { db: runtime.db, actor, now: deps.now, storage: runtime.storage }, params, url, appUrl: runtime.appUrl }
}

/**
 * Hands the request's file part to the upload operation as it streams in. The caller's right to the project is
 * checked first, with the body unread; whatever happens after, every stream of the request is released.
 */
export async function runUpload(op: Operation, ctx: ServiceContext, request: Request, params: Record<string, string>): Promise<FileInfo> {
  await op.http?.stream?.authorize?.(ctx, params)
  const upload = await openMultipartUpload(request)
  try {
    const input = parseInput(op.input, { ...params, name: upload.name, body: upload.body })
    // The upload operation's output is a file's description (operations/files.ts).
    return FileInfo.parse(await op.run(ctx, input))
  } finally {
    upload.close()
  }
}

/** POST: 201 with the file's description and its Location. */
export function toUploadRoute(op: Operation, deps: RouteDeps): RouteHandler {
  return (request) =>
    logged(request, op.name, deps, async (_, requestId) => {
      const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
      try {
        const { ctx, params, url, appUrl } = await apiCall(request, op, deps, headers)
        const file = await runUpload(op, ctx, request, params)
        const location = new URL(`${url.pathname.replace(/\/$/, '')}/${file.id}`, appUrl ?? url)
        headers.set('Location', location.toString())
        headers.set('Cache-Control', 'no-store')
        headers.set('Content-Type', 'application/json')
        return new Response(JSON.stringify(file), { status: 201, headers })
      } catch (thrown) {
        return failure(thrown, { requestId, route: op.name, headers, log: deps.log })
      }
    })
}

/** GET: the file's bytes (200), a range of them (206), 304 for a current copy, 416 for a range past the end. */
export function toDownloadRoute(op: Operation, deps: RouteDeps): RouteHandler {
  return (request) =>
    logged(request, op.name, deps, async (_, requestId) => {
      const headers = applyCorsHeaders(new Headers({ 'X-Request-Id': requestId }))
      try {
        const { ctx, params } = await apiCall(request, op, deps, headers)
        const opened = OpenedFileSchema.parse(await op.run(ctx, parseInput(op.input, params)))
        headers.set('Vary', 'Authorization')
        return await downloadResponse(request, opened, headers)
      } catch (thrown) {
        return failure(thrown, { requestId, route: op.name, headers, log: deps.log })
      }
    })
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
