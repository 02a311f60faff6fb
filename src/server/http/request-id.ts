// Request ids: taken from a well-formed incoming X-Request-Id (set by a proxy), otherwise minted.
const WELL_FORMED = /^[A-Za-z0-9._-]{8,128}$/

export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get('x-request-id')
  return incoming && WELL_FORMED.test(incoming) ? incoming : crypto.randomUUID()
}
