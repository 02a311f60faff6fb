// The HTTP rendering of the error taxonomy: one table from code to status, and RFC 9457 problem+json bodies.
import { type AppError, type ErrorCode, MethodNotAllowed, RateLimited, TooLarge, Unavailable, ValidationError } from '../errors'
import { jsonResponse } from './json-response'

export const STATUS_BY_CODE: Record<ErrorCode, { status: number; title: string }> = {
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  UNAUTHENTICATED: { status: 401, title: 'Unauthenticated' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  PLAN_LIMIT: { status: 403, title: 'Plan limit reached' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  TOO_LARGE: { status: 413, title: 'Content too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'Range not satisfiable' },
  VALIDATION: { status: 422, title: 'Validation failed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
}

export type Problem = {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  requestId: string
  errors?: Record<string, string[]>
}

/** The problem document and headers for an error; INTERNAL errors carry only the request id, never the cause. */
export function problemFor(error: AppError, requestId: string): { body: Problem; headers: Headers } {
  const { status, title } = STATUS_BY_CODE[error.code]
  const headers = new Headers({ 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' })
  const body: Problem = {
    type: `https://twofold.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail: error.message,
    code: error.code,
    requestId,
  }
  if (error instanceof ValidationError) body.errors = error.fieldErrors
  if (error.code === 'UNAUTHENTICATED') headers.set('WWW-Authenticate', 'Bearer realm="twofold"')
  if (error instanceof RateLimited || error instanceof Unavailable) headers.set('Retry-After', String(error.retryAfterSeconds))
  if (error instanceof MethodNotAllowed) headers.set('Allow', error.allow.join(', '))
  if (error instanceof TooLarge) headers.set('Connection', 'close')
  return { body, headers }
}

export function problemResponse(error: AppError, requestId: string, extraHeaders?: Headers): Response {
  const { body, headers } = problemFor(error, requestId)
  headers.set('X-Request-Id', requestId)
  extraHeaders?.forEach((value, key) => {
    if (!headers.has(key)) headers.set(key, value)
  })
  return jsonResponse(body, body.status, headers)
}
