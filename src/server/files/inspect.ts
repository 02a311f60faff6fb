// Checks an upload as it streams past, without holding it: counts its bytes against a limit, hashes it (SHA-256),
// and decides its type from its first bytes. The stream fails at the first byte over the limit, or as soon as the
// type is known to be refused, so nothing more is read from the client.
import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** How many leading bytes file-type needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100

/**
 * The binary formats accepted, by the type their content proves (file-type's answer), never by the name or the
 * declared Content-Type. Everything else file-type recognises (executables, archives other than zip, HTML-capable
 * formats it knows) is refused.
 */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'audio/mpeg',
  'audio/wav',
  'video/mp4',
])

/**
 * Content file-type cannot name is accepted only as plain text: valid UTF-8 with no control characters other than
 * tab, line feed, carriage return and form feed, stored and served as text/plain whatever was declared. HTML or SVG
 * arrives here too, and is served as text/plain, as an attachment, with nosniff: it never runs in our origin.
 */
export const TEXT_TYPE = 'text/plain; charset=utf-8'

export type Inspection = { size: number; sha256: string; contentType: string }

export class UploadTooLarge extends Error {
  override name = 'UploadTooLarge'
  constructor(readonly limitBytes: number) {
    super(`over ${limitBytes} bytes`)
  }
}

export class UploadTypeRefused extends Error {
  override name = 'UploadTypeRefused'
  constructor(readonly detected: string | null) {
    super(detected ? `type ${detected} is not allowed` : 'not a recognised type, and not plain text')
  }
}

// C0 controls but \t \n \f \r, and DEL.
const CONTROL_PATTERN = '[\\u0000-\\u0008\\u000b\\u000e-\\u001f\\u007f]'
const CONTROL = new RegExp(CONTROL_PATTERN, 'u')

function looksLikeText(sample: Buffer): boolean {
  try {
    // stream: a multi-byte character cut off at the sample's end is not an error.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true })
    return !CONTROL.test(text)
  } catch {
    return false
  }
}

export async function detectType(sample: Buffer): Promise<string> {
  // Loaded on the first upload, not at start: file-type's signature tables cost the API-only server ~45 ms to start.
  const { fileTypeFromBuffer } = await import('file-type')
  const found = await fileTypeFromBuffer(sample)
  if (found) {
    if (ALLOWED_TYPES.has(found.mime)) return found.mime
    throw new UploadTypeRefused(found.mime)
  }
  if (looksLikeText(sample)) return TEXT_TYPE
  throw new UploadTypeRefused(null)
}

/** A pass-through stream that inspects what passes; `result` settles when it ends (or fails with why it failed). */
export function inspector(limitBytes: number): { stream: Transform; result: () => Inspection } {
  const hash = createHash('sha256')
  let size = 0
  let sample: Buffer[] = []
  let sampled = 0
  let contentType: string | null = null

  const sniff = (callback: (error?: Error | null) => void) => {
    detectType(Buffer.concat(sample, sampled)).then(
      (type) => {
        contentType = type
        sample = []
        callback()
      },
      (error: Error) => callback(error),
    )
  }

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      size += chunk.length
      if (size > limitBytes) {
        callback(new UploadTooLarge(limitBytes))
        return
      }
      hash.update(chunk)
      if (contentType !== null) {
        callback(null, chunk)
        return
      }
      sample.push(chunk)
      sampled += chunk.length
      if (sampled < SNIFF_BYTES) {
        callback(null, chunk)
        return
      }
      // The chunk is passed on only once the type is accepted: a refused file stops here.
      sniff((error) => callback(error, error ? undefined : chunk))
    },
    flush(callback: TransformCallback) {
      if (contentType !== null || sampled === 0) callback()
      else sniff(callback)
    },
  })
  return {
    stream,
    result: () => {
      if (size === 0) return { size, sha256: hash.digest('hex'), contentType: 'application/octet-stream' }
      if (contentType === null) throw new Error('the upload was not fully read')
      return { size, sha256: hash.digest('hex'), contentType }
    },
  }
}
