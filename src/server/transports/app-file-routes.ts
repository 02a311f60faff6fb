// The app's own upload and download routes (the project page): the same streaming adapters as the public API, with
// the session cookie instead of a bearer token. They live under /api/w/… so that src/proxy.ts never matches them:
// with a proxy in front, Next buffers a request body in memory (up to proxyClientMaxBodySize, silently cutting off the
// rest), and an upload must stream. A server action cannot stream a body at all (bodySizeLimit, and it is buffered
// whole), so the project page's form posts here. With JavaScript the form's script sends the same request with
// XMLHttpRequest, for a progress bar, and asks for JSON; without it the browser posts the form and follows the 303.
import { type AppError, ValidationError } from '../errors'
import { downloadFile, uploadFile } from '../operations/files'
import { type ApiDeps, apiCall } from './api-call'
import { downloadResponse, openForDownload, runUpload } from './to-file-route'

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

function outcomeOf(error: AppError): UploadOutcome {
  if (error.code === 'TOO_LARGE') return 'too_large'
  if (error instanceof ValidationError || error.code === 'VALIDATION') return 'invalid'
  return 'failed'
}

/**
 * The project page's upload and download routes on the API kernel, with the session cookie instead of a token: the
 * same authorization, rate limit, context and access line as the API, and the same operations. An upload must come
 * from our own pages (route handlers get no Origin check from Next, and a cross-site form could otherwise upload into
 * the victim's project); a download is a plain GET behind a link, opened however the browser likes.
 */
export function appFileRoutes(deps: ApiDeps) {
  async function POST(request: Request, { params }: RouteContext): Promise<Response> {
    const { slug, id } = await params
    const wantsJson = (request.headers.get('accept') ?? '').includes('application/json')
    const projectPath = `/w/${encodeURIComponent(slug)}/projects/${encodeURIComponent(id)}`
    // Without JavaScript the browser posted the form: it is sent back to the project page, saying what happened.
    const renderFailure = (error: AppError, appUrl: string): Response | undefined => {
      if (wantsJson || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') return undefined
      if (error.code === 'UNAUTHENTICATED') {
        return Response.redirect(new URL(`/sign-in?next=${encodeURIComponent(projectPath)}`, appUrl), 303)
      }
      return Response.redirect(new URL(`${projectPath}?upload=${outcomeOf(error)}`, appUrl), 303)
    }
    return apiCall(
      request,
      uploadFile,
      deps,
      async (call) => {
        const file = await runUpload(uploadFile, call, { id })
        if (!wantsJson) return Response.redirect(new URL(`${projectPath}?upload=ok`, call.ctx.appUrl), 303)
        call.headers.set('Cache-Control', 'no-store')
        call.headers.set('Content-Type', 'application/json')
        return new Response(JSON.stringify(file), { status: 201, headers: call.headers })
      },
      { accept: 'session', workspace: slug, ownOrigin: 'required', route: 'app.files.upload', renderFailure },
    )
  }

  async function GET(request: Request, { params }: RouteContext): Promise<Response> {
    const { slug, id, fileId } = await params
    return apiCall(
      request,
      downloadFile,
      deps,
      async (call) => downloadResponse(request, await openForDownload(downloadFile, call, { id, fileId: fileId ?? '' }), call.headers),
      { accept: 'session', workspace: slug, route: 'app.files.download' },
    )
  }

  return { POST, GET }
}
