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
  | 'RANGE_NOT_SATISFIABLE'
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

/** A byte range that starts past the end of the file: HTTP 416, with the size in Content-Range. */
export class RangeNotSatisfiable extends AppError {
  constructor(readonly size: number) {
    super('RANGE_NOT_SATISFIABLE', `The range starts past the end: the file has ${size} bytes.`)
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
  /** Whether upgrading the workspace's plan lifts the limit (forms then link to the billing page). */
  readonly upgrade: boolean
  constructor(message: string, options: { upgrade?: boolean } = {}) {
    super('PLAN_LIMIT', message)
    this.upgrade = options.upgrade ?? false
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

// Connection-level failures are transient: the caller should retry, so they become UNAVAILABLE rather than a 500.
// Socket errors (refused, reset, timed out), whole SQLSTATE classes 08 (connection exception), 53 (insufficient
// resources: too many clients, out of memory or disk) and 57 (operator intervention: shutdown, crash recovery,
// terminated backend), and 55000, which is what a database closed with ALLOW_CONNECTIONS false answers.
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57'])
const TRANSIENT_SQLSTATES = new Set(['55000'])
const SQLSTATE = /^[0-9A-Z]{5}$/
// node-postgres's own messages: a client whose connection broke or ended answers the next query with "…is not
// queryable", and a connect that times out destroys its socket with "timeout expired".
const TRANSIENT_MESSAGES =
  /PGlite is closed|Connection terminated|timeout exceeded when trying to connect|timeout expired|Cannot use a pool after calling end|is not queryable/i

function isTransientCode(code: string): boolean {
  if (TRANSIENT_ERRNOS.has(code)) return true
  return SQLSTATE.test(code) && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2)))
}

/** Whether `error`, or a cause up to five levels down (Drizzle wraps the driver's error), says the database is out of reach. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = Reflect.get(current, 'code')
    const message = Reflect.get(current, 'message')
    if (typeof code === 'string' && isTransientCode(code)) return true
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true
    current = Reflect.get(current, 'cause')
  }
  return false
}

/** Whatever was thrown, as an AppError: known errors pass through, transient database failures become UNAVAILABLE, the rest INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (isDatabaseUnavailable(error)) return new Unavailable(5, { cause: error })
  return new AppError('INTERNAL', 'Something went wrong on our side.', { cause: error })
}

/** Whether `error` (or a cause of it) is PostgreSQL's unique violation, optionally on the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (Reflect.get(current, 'code') === '23505') {
      return (
        !constraint || Reflect.get(current, 'constraint') === constraint || String(Reflect.get(current, 'message')).includes(constraint)
      )
    }
    current = Reflect.get(current, 'cause')
  }
  return false
}
