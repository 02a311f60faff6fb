// The error taxonomy every layer speaks: services throw these, each transport renders them its own way.
import type { z } from 'zod'

/** The codes a caller can branch on. HTTP statuses live with the HTTP rendering (http/problem.ts). */
export type ErrorCode =
  | 'VALIDATION'
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PLAN_LIMIT'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL'

export type FieldErrors = Record<string, string[]>

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: FieldErrors,
    message = 'Some fields are not valid.',
  ) {
    super('VALIDATION', message)
  }

  static fromZod(error: z.ZodError): ValidationError {
    const fieldErrors: FieldErrors = {}
    for (const issue of error.issues) {
      const key = issue.path.length ? issue.path.map(String).join('.') : '_'
      fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message]
    }
    return new ValidationError(fieldErrors)
  }
}

export class BadRequest extends AppError {
  constructor(message: string) {
    super('BAD_REQUEST', message)
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(readonly accepted: string) {
    super('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${accepted}.`)
  }
}

export class Unauthenticated extends AppError {
  constructor(message = 'Sign in to continue.') {
    super('UNAUTHENTICATED', message)
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do that.') {
    super('FORBIDDEN', message)
  }
}

export class PlanLimit extends AppError {
  constructor(message: string) {
    super('PLAN_LIMIT', message)
  }
}

export class NotFound extends AppError {
  constructor(readonly resource: string) {
    super('NOT_FOUND', `${resource} not found.`)
  }
}

export class MethodNotAllowed extends AppError {
  constructor(readonly allow: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `Use one of: ${allow.join(', ')}.`)
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super('CONFLICT', message)
  }
}

/** A conditional write lost: the object changed since the caller last read it. */
export class PreconditionFailed extends AppError {
  constructor(message = 'The object has changed since you read it. Fetch it again and retry.') {
    super('PRECONDITION_FAILED', message)
  }
}

export class TooLarge extends AppError {
  constructor(readonly limitBytes: number) {
    super('TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`)
  }
}

export class RateLimited extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests. Try again later.',
  ) {
    super('RATE_LIMITED', message)
  }
}

export class Unavailable extends AppError {
  constructor(
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super('UNAVAILABLE', 'The service is briefly unavailable. Try again shortly.', options)
  }
}

// Connection-level failures (refused, reset, server shutting down, too many clients, pool or PGlite closed) are
// transient: the caller should retry, so they become UNAVAILABLE rather than a 500.
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006'])

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (TRANSIENT_ERRNOS.has(code) || TRANSIENT_SQLSTATES.has(code))) return true
    if (
      typeof message === 'string' &&
      /PGlite is closed|Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(message)
    )
      return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/** Whatever was thrown, as an AppError: known errors pass through, transient database failures become UNAVAILABLE, the rest INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (isDatabaseUnavailable(error)) return new Unavailable(5, { cause: error })
  return new AppError('INTERNAL', 'Something went wrong on our side.', { cause: error })
}
