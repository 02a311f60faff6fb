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
      RANGE_NOT_SATISFIABLE: 416,
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

  // Shaped like Drizzle's DrizzleQueryError: the driver's error, with its SQLSTATE, is on `cause`.
  const drizzleWrapped = (cause: unknown) =>
    Object.assign(new Error('Failed query: select 1\nparams: '), { query: 'select 1', params: [], cause })

  test.each([
    { name: 'a refused connection', thrown: { code: 'ECONNREFUSED' } },
    { name: 'a reset connection, as a cause', thrown: new Error('wrapped', { cause: { code: 'ECONNRESET' } }) },
    {
      name: 'a database closed to connections (55000)',
      thrown: { code: '55000', message: 'database "app" is not currently accepting connections' },
    },
    { name: 'class 08: connection failure', thrown: { code: '08006' } },
    { name: 'class 08: cannot connect now', thrown: { code: '08001' } },
    { name: 'class 53: too many clients', thrown: { code: '53300' } },
    { name: 'class 53: disk full', thrown: { code: '53100' } },
    { name: 'class 57: administrator shutdown', thrown: { code: '57P01', message: 'terminating connection due to administrator command' } },
    { name: 'class 57: starting up', thrown: { code: '57P03' } },
    { name: "Drizzle's wrapper around 55000", thrown: drizzleWrapped({ code: '55000' }) },
    { name: "Drizzle's wrapper around a wrapper around 57P01", thrown: drizzleWrapped(new Error('x', { cause: { code: '57P01' } })) },
    { name: 'a closed PGlite', thrown: new Error('PGlite is closed') },
    { name: 'an ended pool', thrown: new Error('Cannot use a pool after calling end on the pool') },
    { name: 'a pool that cannot connect in time', thrown: new Error('timeout exceeded when trying to connect') },
    { name: 'a client that cannot connect in time', thrown: drizzleWrapped(new Error('timeout expired')) },
    {
      name: 'a client whose connection broke, reused for the rollback',
      thrown: drizzleWrapped(new Error('Client has encountered a connection error and is not queryable')),
    },
    { name: 'a client that was closed', thrown: new Error('Client was closed and is not queryable') },
  ])('$name becomes UNAVAILABLE', ({ thrown }) => {
    const error = toAppError(thrown)
    expect(error).toBeInstanceOf(Unavailable)
    expect(error.cause).toBe(thrown)
  })

  test.each([
    { name: 'a unique violation (23505)', thrown: drizzleWrapped({ code: '23505' }) },
    { name: 'a syntax error (42601)', thrown: { code: '42601' } },
    { name: 'another 55 code: lock not available (55P03)', thrown: { code: '55P03' } },
    { name: 'a code that only starts like a class (5700)', thrown: { code: '5700' } },
    { name: 'a lowercase look-alike (08abc)', thrown: { code: '08abc' } },
    { name: 'a connection error six causes deep', thrown: [1, 2, 3, 4, 5].reduce<unknown>((cause) => ({ cause }), { code: '08006' }) },
    { name: 'a string', thrown: 'ECONNREFUSED' },
  ])('$name is INTERNAL, not UNAVAILABLE', ({ thrown }) => {
    expect(toAppError(thrown).code).toBe('INTERNAL')
  })

  test('UNAVAILABLE renders as 503 problem+json with Retry-After', () => {
    const { body, headers } = problemFor(toAppError({ code: '57P01' }), 'req-1')
    expect(body).toEqual({
      type: 'https://twofold.dev/problems/unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The service is briefly unavailable. Try again shortly.',
      code: 'UNAVAILABLE',
      requestId: 'req-1',
    })
    expect(headers.get('retry-after')).toBe('5')
    expect(headers.get('content-type')).toBe('application/problem+json')
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
