// Reads a JSON request body with a size cap enforced while streaming, so an oversized body is never buffered whole.
import { BadRequest, TooLarge, UnsupportedMediaType } from '../errors'

export const JSON_BODY_LIMIT_BYTES = 64 * 1024

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i

/** The body as a JSON object; an absent body is `{}` so that the schema, not the parser, names missing fields. */
export async function readJsonObject(request: Request, limitBytes = JSON_BODY_LIMIT_BYTES): Promise<Record<string, unknown>> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limitBytes) throw new TooLarge(limitBytes)
  if (!request.body || declared === '0') return {}

  const text = await readText(request.body, limitBytes)
  if (text.length === 0) return {}
  const contentType = request.headers.get('content-type') ?? ''
  if (!JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaType('application/json')

  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new BadRequest('The body is not valid JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('The body must be a JSON object.')
  return value as Record<string, unknown>
}

async function readText(body: ReadableStream<Uint8Array>, limitBytes: number): Promise<string> {
  const bytes = await readBytes(body, limitBytes)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new BadRequest('The body is not valid UTF-8.')
  }
}

/** The raw body, exactly as sent (a signature is computed over these bytes), capped at `limitBytes` while streaming. */
export async function readRawBody(request: Request, limitBytes: number): Promise<Buffer> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limitBytes) throw new TooLarge(limitBytes)
  return request.body ? readBytes(request.body, limitBytes) : Buffer.alloc(0)
}

async function readBytes(body: ReadableStream<Uint8Array>, limitBytes: number): Promise<Buffer> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limitBytes) {
      await reader.cancel().catch(() => {})
      throw new TooLarge(limitBytes)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}
