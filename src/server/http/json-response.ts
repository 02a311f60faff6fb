// A JSON answer, with its length declared and small bodies kept out of compression. `next start` gzips every
// response for a client that accepts gzip (every mobile HTTP stack does), and the `compression` middleware it uses
// cannot see a route's Content-Length (Next drops it) to apply its own 1 KB threshold: a 300-byte /me or a 401 was
// gzipped, for a zlib stream's CPU and memory and no saving. `no-transform` is the one signal that middleware
// honours, and it means the same to proxies: leave these few bytes as they are. Larger bodies (a long project list)
// are still compressed. The API-only server does not compress, and gets the length.

/** The `compression` middleware's own default threshold. */
const COMPRESS_FROM_BYTES = 1024

/** A constructor of web-standard Responses: the global one, or a cheaper one that behaves as it does. */
export type ResponseClass = new (body: string, init: ResponseInit) => Response

let JsonResponse: ResponseClass = Response

/**
 * Makes every JSON answer of this process with `responseClass`. The API-only server gives srvx's FastResponse, which
 * srvx writes to the socket as the string it holds; a global Response's body is a ReadableStream that srvx must read
 * chunk by chunk and write after the head, a second socket write and a stream reader per request (measured on the
 * list: see api/handler.ts). Under Next the global one stays: Next reads the body itself.
 */
export function makeJsonResponsesWith(responseClass: ResponseClass): void {
  JsonResponse = responseClass
}

export function jsonResponse(body: unknown, status: number, headers: Headers): Response {
  const text = JSON.stringify(body)
  const bytes = Buffer.byteLength(text)
  headers.set('Content-Length', String(bytes))
  if (bytes < COMPRESS_FROM_BYTES) {
    const cacheControl = headers.get('Cache-Control')
    headers.set('Cache-Control', cacheControl ? `${cacheControl}, no-transform` : 'no-transform')
  }
  return new JsonResponse(text, { status, headers })
}
