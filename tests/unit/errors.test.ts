// The error taxonomy and its two renderings: one table from code to HTTP status, problem+json bodies, and
// action results; unknown failures become INTERNAL, lost connections UNAVAILABLE.
import { describe, expect, test } from 'vitest'
import {
  AppError,
  type ErrorCode,
  MethodNotAllowed,
  NotFound,
  RateLimited,
  toAppError,
  Unavailable,
  ValidationError,
} from '../../src/server/errors'
import { actionError } from '../../src/server/http/action-result'
import { problemFor, STATUS_BY_CODE } from '../../src/server/http/problem'

describe('the taxonomy', () => {
  test('every code has one HTTP status, and the statuses are the ones the design names', () => {
    const statuses = Object.fromEntries(Object.entries(STATUS_BY_CODE).map(([code, { status }]) => [code, status]))
    expect(statuses).toEqual({
      BAD_REQUEST: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      PLAN_LIMIT: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      CONFLICT: 409,
      PRECONDITION_FAILED: 412,
      TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      VALIDATION: 422,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      UNAVAILABLE: 503,
    } satisfies Record<ErrorCode, number>)
  })

  test('an unknown failure becomes INTERNAL and keeps its cause for the log', () => {
    const cause = new Error('column "secret" does not exist')
    const error = toAppError(cause)
    expect(error.code).toBe('INTERNAL')
    expect(error.message).toBe('Something went wrong on our side.')
    expect(error.cause).toBe(cause)
  })

  test.each([
    { code: 'ECONNREFUSED' },
    { code: '57P01', message: 'terminating connection due to administrator command' },
    new Error('PGlite is closed'),
    new Error('Cannot use a pool after calling end on the pool'),
    new Error('wrapped', { cause: { code: 'ECONNRESET' } }),
  ])('a lost database connection (%j) becomes UNAVAILABLE', (thrown) => {
    expect(toAppError(thrown)).toBeInstanceOf(Unavailable)
  })

  test('known errors pass through unchanged', () => {
    const error = new NotFound('Project')
    expect(toAppError(error)).toBe(error)
  })
})

describe('problem+json', () => {
  test('carries the status, a stable type, the field errors and the request id', () => {
    const { body, headers } = problemFor(new ValidationError({ name: ['Name is required.'] }), 'req-12345678')
    expect(body).toEqual({
      type: 'https://twofold.dev/problems/validation',
      title: 'Validation failed',
      status: 422,
      detail: 'Some fields are not valid.',
      code: 'VALIDATION',
      requestId: 'req-12345678',
      errors: { name: ['Name is required.'] },
    })
    expect(headers.get('content-type')).toBe('application/problem+json')
  })

  test('adds the headers each error needs', () => {
    expect(problemFor(new AppError('UNAUTHENTICATED', 'x'), 'r').headers.get('www-authenticate')).toBe('Bearer realm="twofold"')
    expect(problemFor(new RateLimited(42), 'r').headers.get('retry-after')).toBe('42')
    expect(problemFor(new MethodNotAllowed(['GET', 'POST']), 'r').headers.get('allow')).toBe('GET, POST')
  })

  test('an INTERNAL error shows nothing of its cause', () => {
    const { body } = problemFor(toAppError(new Error('password_hash leaked')), 'r')
    expect(JSON.stringify(body)).not.toContain('password_hash')
  })
})

describe('action results', () => {
  test('carry the code, the message, the field errors and what was typed', () => {
    expect(actionError(new ValidationError({ name: ['Too long.'] }), { name: 'xxx' })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'Some fields are not valid.', fieldErrors: { name: ['Too long.'] } },
      values: { name: 'xxx' },
    })
  })
})
