// Reads the file part of a multipart/form-data request as a stream (@fastify/busboy): the part's bytes flow to
// whoever consumes it as they arrive, and nothing of the file is buffered here. A request cut off mid-file fails the
// part's stream, so the consumer sees an error, never a short file that looks complete.
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type BusboyFactory from '@fastify/busboy'
import { BadRequest, UnsupportedMediaType, ValidationError } from '../errors'

export type FilePart = {
  /** The file name as the client sent it, path and all (refusing hostile names is the service's rule). */
  name: string
  /** The part's declared Content-Type: recorded nowhere, since the type is decided from the content. */
  declaredType: string
  body: Readable
}

const MULTIPART = /^multipart\/form-data\s*;/i

/**
 * The first part named `field` that is a file. Rejects with 415 for another body type, 422 when the form has no
 * such part, 400 for a malformed form. Other parts are skipped; a second file part is ignored.
 */
export async function readFilePart(request: Request, field = 'file'): Promise<FilePart> {
  const contentType = request.headers.get('content-type') ?? ''
  if (!MULTIPART.test(contentType) || !request.body) throw new UnsupportedMediaType('multipart/form-data')
  // Loaded with the first upload rather than at start, which only the upload route would pay for.
  const { default: Busboy } = await import('@fastify/busboy')
  const body = request.body
  return new Promise((resolve, reject) => {
    let parser: ReturnType<typeof BusboyFactory>
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        preservePath: true,
        limits: { files: 1, fields: 20, fieldSize: 8 * 1024, parts: 40, headerPairs: 50 },
      })
    } catch {
      reject(new BadRequest('The multipart body has no boundary.'))
      return
    }
    let current: Readable | null = null
    let found = false
    const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>)
    const fail = (error: unknown) => {
      const reason = error instanceof Error ? error : new Error(String(error))
      // A cut-off body: the file's consumer must see the failure, not a quiet end.
      if (current && !current.readableEnded) current.destroy(reason)
      if (!found) reject(new BadRequest('The multipart body is malformed or was cut off.'))
    }
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      if (found || name !== field) {
        stream.resume()
        return
      }
      found = true
      current = stream
      resolve({ name: filename, declaredType: mimeType, body: stream })
    })
    parser.on('error', fail)
    parser.on('finish', () => {
      if (!found) reject(new ValidationError({ file: ['Choose a file to upload.'] }, 'Send the file in a form field named "file".'))
    })
    source.on('error', fail)
    request.signal?.addEventListener('abort', () => fail(new Error('the client went away')), { once: true })
    source.pipe(parser)
  })
}
