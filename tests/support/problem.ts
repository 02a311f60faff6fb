// Asserts a whole RFC 9457 problem answer: its media type and every field of its body, as the spec promises it.
import { expect } from 'vitest'
import type { ErrorCode } from '../../src/server/errors'
import { STATUS_BY_CODE } from '../../src/server/http/problem'

export async function expectProblem(response: Response, code: ErrorCode, detail: string): Promise<void> {
  const { status, title } = STATUS_BY_CODE[code]
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  expect(await response.json()).toEqual({
    type: `https://twofold.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
    requestId: expect.any(String),
  })
}
