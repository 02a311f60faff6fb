// Request ids: taken from a well-formed incoming X-Request-Id (set by a proxy), otherwise minted.
const WELL_FORMED = /^[A-Za-z0-9._-]{8,128}$/
/** The shape of every request id we answer with, as the OpenAPI document publishes it. */
export const REQUEST_ID_PATTERN = WELL_FORMED.source
export const REQUEST_ID_MAX_LENGTH = 128

export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get('x-request-id')
  return incoming && WELL_FORMED.test(incoming) ? incoming : crypto.randomUUID()
}
