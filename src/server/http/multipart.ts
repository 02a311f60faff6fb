// Opens the file part of a multipart/form-data request as a stream (@fastify/busboy): the part's bytes flow to
// whoever consumes them as they arrive, and nothing of the file is buffered here.
//
// Every way the request can go wrong ends the same way: the file's stream fails with an error of the taxonomy (400
// for a form that is malformed or cut off, whatever busboy calls it; the consumer's own errors pass through), and
// `close()` releases the request's body, the parser and every part's stream. No stream this module creates or is
// handed is ever left without an 'error' listener, so nothing that goes wrong here can reach `uncaughtException`,
// and the file's stream ends only once the whole form has been read: a form cut off after its file part fails too.
import { PassThrough, Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type BusboyFactory from '@fastify/busboy'
import { AppError, BadRequest, UnsupportedMediaType, ValidationError } from '../errors'

export type MultipartUpload = {
  /** The file name as the client sent it, path and all (refusing hostile names is the service's rule). */
  name: string
  /** The part's declared Content-Type: recorded nowhere, since the type is decided from the content. */
  declaredType: string
  /** The file's bytes. Ends once the whole form is read; fails with an AppError if the form fails first. */
  body: Readable
  /** Stops reading the request and destroys every stream of it. Safe to call more than once, and after an error. */
  close(): void
}

/** How much of a form busboy accepts besides the file: a few small fields, nothing more. */
export type MultipartLimits = { fields: number; fieldSize: number; parts: number; headerPairs: number }
const DEFAULT_LIMITS: MultipartLimits = { fields: 20, fieldSize: 8 * 1024, parts: 40, headerPairs: 50 }

const MULTIPART = /^multipart\/form-data\s*;/i
const ignore = () => {}

export const MALFORMED = 'The multipart body is malformed or was cut off.'

/** The failure a body error stands for: ours as they are, anything from the parser or the socket as a 400. */
function asAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new BadRequest(MALFORMED)
}

/**
 * The first part named `field` that is a file. Rejects with 415 for another body type, 422 when the form has no
 * such part, 400 for a malformed or cut-off form; in every case with the request's body already released. Other
 * parts are skipped; a second file part is read and dropped. Call it only once the caller may upload at all: it
 * starts reading the body.
 */
export async function openMultipartUpload(
  request: Request,
  options: { field?: string; limits?: Partial<MultipartLimits> } = {},
): Promise<MultipartUpload> {
  const field = options.field ?? 'file'
  const contentType = request.headers.get('content-type') ?? ''
  if (!MULTIPART.test(contentType) || !request.body) throw new UnsupportedMediaType('multipart/form-data')
  // Loaded with the first upload rather than at start, which only the upload route would pay for.
  const { default: Busboy } = await import('@fastify/busboy')
  let parser: ReturnType<typeof BusboyFactory>
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      preservePath: true,
      limits: { files: 1, ...DEFAULT_LIMITS, ...options.limits },
    })
  } catch {
    throw new BadRequest('The multipart body has no boundary.')
  }
  const source = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>)
  // What the consumer reads: ours, so that its end and its failure are decided here, not by busboy's part.
  const body = new PassThrough()
  const parts: Readable[] = []
  for (const stream of [parser, source, body]) stream.on('error', ignore)

  let failed: AppError | null = null
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    source.unpipe(parser)
    source.destroy()
    for (const part of parts) part.destroy()
    parser.destroy()
    if (!body.destroyed) body.destroy(failed ?? undefined)
  }

  return new Promise<MultipartUpload>((resolve, reject) => {
    let found = false
    const fail = (error: unknown) => {
      if (failed || closed) return
      failed = asAppError(error)
      // The consumer sees the failure (its store removes what it wrote); before the file part, the caller does.
      body.destroy(failed)
      if (!found) reject(failed)
      close()
    }
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      // Busboy emits errors on a part's stream directly (a part cut off): each part keeps a listener for good.
      parts.push(stream)
      stream.on('error', fail)
      if (found || name !== field) {
        stream.resume()
        return
      }
      found = true
      stream.pipe(body, { end: false })
      resolve({ name: filename, declaredType: mimeType, body, close })
    })
    parser.on('error', fail)
    source.on('error', fail)
    parser.on('finish', () => {
      if (failed || closed) return
      if (found) body.end()
      else {
        failed = new ValidationError({ file: ['Choose a file to upload.'] }, 'Send the file in a form field named "file".')
        reject(failed)
        close()
      }
    })
    // Only what the body already says can be trusted: a client gone away may leave the stream merely unfinished.
    request.signal?.addEventListener('abort', () => fail(new BadRequest('The client went away before the upload ended.')), {
      once: true,
    })
    source.pipe(parser)
  })
}
