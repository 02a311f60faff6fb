// Test material for uploads: file contents of known types, multipart requests, and what storage holds.
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import path from 'node:path'

// The signature, an IHDR chunk (13 bytes and a CRC) and the head of an IDAT chunk: what file-type reads to say PNG.
const PNG_HEAD = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from([0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from([0, 0, 0x10, 0]),
  Buffer.from('IDAT'),
])

/** `size` bytes that file-type recognises as a PNG image (its head, then noise). */
export function pngBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size)
  PNG_HEAD.copy(bytes)
  randomBytes(Math.max(0, size - PNG_HEAD.length)).copy(bytes, PNG_HEAD.length)
  return bytes
}

/** An ELF executable's first bytes: recognised, and refused. */
export function elfBytes(size = 8192): Buffer {
  const bytes = randomBytes(size)
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(bytes)
  return bytes
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

/** A multipart/form-data upload of `bytes` as `name` in the field `file`. */
export function uploadInit(bytes: Buffer | string, name: string, authorization?: string, field = 'file'): RequestInit {
  const form = new FormData()
  form.set(field, new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]), name)
  return { method: 'POST', body: form, headers: authorization ? { Authorization: authorization } : {} }
}

/** Every regular file under a local storage directory (partial files included): what is on disk. */
export function filesOnDisk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

export const MULTIPART_BOUNDARY = 'twofold-upload-boundary'

/**
 * A multipart/form-data body carrying one file of `size` bytes (a PNG head, then filler), produced as it is read:
 * a 100 MB upload without 100 MB in the test's memory either.
 */
export function multipartStream(name: string, size: number, boundary = MULTIPART_BOUNDARY): ReadableStream<Uint8Array> {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const first = pngBytes(Math.min(size, 64 * 1024))
  const filler = Buffer.alloc(256 * 1024, 0x5a)
  let sent = 0
  let stage: 'head' | 'body' | 'tail' | 'done' = 'head'
  return new ReadableStream({
    pull(controller) {
      if (stage === 'head') {
        controller.enqueue(head)
        stage = 'body'
      } else if (stage === 'body') {
        const chunk = sent === 0 ? first : filler.subarray(0, Math.min(filler.length, size - sent))
        sent += chunk.length
        if (chunk.length) controller.enqueue(new Uint8Array(chunk))
        if (sent >= size) stage = 'tail'
      } else if (stage === 'tail') {
        controller.enqueue(tail)
        stage = 'done'
      } else controller.close()
    },
  })
}
