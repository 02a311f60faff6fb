// The app's own upload and download routes (the project page): the same streaming adapters as the public API, with
// the session cookie instead of a bearer token. They live under /api/w/… so that src/proxy.ts never matches them:
// with a proxy in front, Next buffers a request body in memory (up to proxyClientMaxBodySize, silently cutting off the
// rest), and an upload must stream. A server action cannot stream a body at all (bodySizeLimit, and it is buffered
// whole), so the project page's form posts here. With JavaScript the form's script sends the same request with
// XMLHttpRequest, for a progress bar, and asks for JSON; without it the browser posts the form and follows the 303.
import { resolveActor } from '../auth/actor'
import { AppError, Forbidden, NotFound, toAppError, Unauthenticated, ValidationError } from '../errors'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { log } from '../log'
import { getRuntime, sessionUserId } from '../runtime'
import type { ServiceContext } from '../services/context'
import * as files from '../services/files'
import { uploadFile } from './files'
import { downloadResponse, runUpload } from './to-file-route'

type Params = { slug: string; id: string; fileId?: string }
type RouteContext = { params: Promise<Params> }

/** What the project page says after a form post, by the code in its `upload` query parameter. */
export const UPLOAD_OUTCOMES = {
  ok: 'File uploaded.',
  too_large: 'That file is larger than your plan allows.',
  invalid:
    'That file cannot be uploaded: check its name and type (images, PDF, office documents, archives, audio, video, plain text), and that it is not empty.',
  failed: 'The upload failed. Try again.',
} as const
export type UploadOutcome = keyof typeof UPLOAD_OUTCOMES

async function sessionContext(request: Request, slug: string): Promise<{ ctx: ServiceContext; appUrl: string }> {
  const runtime = await getRuntime()
  const actor = await resolveActor(request.headers, {
    db: runtime.database.db,
    now: new Date(),
    accept: 'session',
    sessionUserId: (headers) => sessionUserId(runtime.auth, headers),
  })
  return {
    ctx: { db: runtime.database.db, actor, now: () => new Date(), workspace: slug, storage: runtime.storage },
    appUrl: runtime.config.appUrl,
  }
}

/**
 * A cookie-authenticated POST must come from our own pages: route handlers get no Origin check from Next, and a
 * cross-site form could otherwise upload into the victim's project. Browsers send Origin on every POST.
 */
function fromOurOrigin(request: Request, appUrl: string): boolean {
  return request.headers.get('origin') === new URL(appUrl).origin
}

function outcomeOf(error: AppError): UploadOutcome {
  if (error.code === 'TOO_LARGE') return 'too_large'
  if (error instanceof ValidationError || error.code === 'VALIDATION') return 'invalid'
  return 'failed'
}

export async function POST(request: Request, { params }: RouteContext): Promise<Response> {
  const { slug, id } = await params
  const requestId = requestIdFrom(request.headers)
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json')
  const projectPage = (appUrl: string, outcome: UploadOutcome) =>
    new URL(`/w/${encodeURIComponent(slug)}/projects/${encodeURIComponent(id)}?upload=${outcome}`, appUrl)
  let appUrl: string | undefined
  try {
    const session = await sessionContext(request, slug)
    appUrl = session.appUrl
    if (!fromOurOrigin(request, appUrl)) {
      return problemResponse(new Forbidden('Upload from the app’s own pages.'), requestId)
    }
    if (session.ctx.actor.type !== 'user') throw new Unauthenticated()
    const file = await runUpload(uploadFile, session.ctx, request, { id })
    if (!wantsJson) return Response.redirect(projectPage(appUrl, 'ok'), 303)
    return new Response(JSON.stringify(file), { status: 201, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } })
  } catch (thrown) {
    const error = toAppError(thrown)
    if (!(thrown instanceof AppError)) log.error('upload failed', { requestId, route: 'app.files.upload', error: thrown })
    if (wantsJson || !appUrl) return problemResponse(error, requestId)
    if (error.code === 'UNAUTHENTICATED') {
      const back = `/w/${encodeURIComponent(slug)}/projects/${encodeURIComponent(id)}`
      return Response.redirect(new URL(`/sign-in?next=${encodeURIComponent(back)}`, appUrl), 303)
    }
    if (error.code === 'NOT_FOUND') return problemResponse(error, requestId)
    return Response.redirect(projectPage(appUrl, outcomeOf(error)), 303)
  }
}

export async function GET(request: Request, { params }: RouteContext): Promise<Response> {
  const { slug, id, fileId } = await params
  const requestId = requestIdFrom(request.headers)
  try {
    const { ctx } = await sessionContext(request, slug)
    if (ctx.actor.type !== 'user') throw new Unauthenticated()
    if (!fileId) throw new NotFound('File')
    const opened = await files.open(ctx, { id, fileId })
    return await downloadResponse(request, opened, new Headers({ 'X-Request-Id': requestId }))
  } catch (thrown) {
    if (!(thrown instanceof AppError)) log.error('download failed', { requestId, route: 'app.files.download', error: thrown })
    return problemResponse(toAppError(thrown), requestId)
  }
}
