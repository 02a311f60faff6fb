// Log lines through pino: JSON with level and message, errors with their cause chain, and no secret on any line:
// neither a failed query's parameters (Drizzle's DrizzleQueryError, as the real driver throws it) nor a field named
// like a secret. Console output Next prints for a thrown error is filtered the same way.
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/pglite'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createLogger, installConsoleFilter } from '../../src/server/log'

const SESSION_TOKEN = 'session-token-5b1c9e7f0a2d4c'
const EMAIL = 'outage-victim@example.test'

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const logger = createLogger(level, sink)
  const parsed = () => lines.map((line): unknown => JSON.parse(line))
  return { logger, lines, parsed }
}

/** The error Drizzle really throws when a query with these parameters fails (here: the table does not exist). */
async function failedQuery(): Promise<Error> {
  const client = new PGlite()
  const db = drizzle(client)
  try {
    await db.execute(sql`select * from missing_sessions where token = ${SESSION_TOKEN} and email = ${EMAIL}`)
    throw new Error('the query should have failed')
  } catch (error) {
    if (!(error instanceof Error)) throw error
    return error
  } finally {
    await client.close()
  }
}

describe('log lines', () => {
  test('are one JSON object each, with time, level, message and fields', () => {
    const { logger, parsed } = capture()
    logger.info('request', { requestId: 'req-1', route: '/api/v1/projects', method: 'GET', status: 200, durationMs: 3 })
    expect(parsed()).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: 'info',
        message: 'request',
        requestId: 'req-1',
        route: '/api/v1/projects',
        method: 'GET',
        status: 200,
        durationMs: 3,
      },
    ])
  })

  test("an API request's access line is the same line as info('request', …), and obeys the level", () => {
    const fields = { requestId: 'req-2', route: 'projects.list', method: 'GET', status: 200, durationMs: 1.5 }
    const both = capture()
    both.logger.access(fields)
    both.logger.info('request', fields)
    const [access, info] = both.parsed() as Record<string, unknown>[]
    expect(access).toEqual({ ...info, time: expect.any(String) })
    expect(access).toMatchObject({ level: 'info', message: 'request', ...fields })

    const quiet = capture('warn')
    quiet.logger.access(fields)
    expect(quiet.lines).toEqual([])
  })

  test('below the configured level are not written', () => {
    const { logger, lines } = capture('warn')
    logger.info('quiet')
    logger.debug('quieter')
    logger.warn('loud')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('"level":"warn"')
  })

  test("a failed query's parameters appear nowhere, while its SQL, SQLSTATE and cause chain stay", async () => {
    const thrown = await failedQuery()
    expect(thrown.message).toContain(SESSION_TOKEN) // what Drizzle throws does carry them
    const { logger, lines, parsed } = capture()
    logger.error('request failed', { requestId: 'req-2', error: thrown, wrapped: new Error('outer', { cause: thrown }) })
    expect(lines.join('\n')).not.toContain(SESSION_TOKEN)
    expect(lines.join('\n')).not.toContain(EMAIL)
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'request failed',
        error: expect.objectContaining({
          message: 'Failed query: select * from missing_sessions where token = $1 and email = $2',
          query: 'select * from missing_sessions where token = $1 and email = $2',
          stack: expect.stringMatching(/^Error: Failed query: select \* from missing_sessions where token = \$1 and email = \$2\n {4}at /),
          cause: expect.objectContaining({ message: 'relation "missing_sessions" does not exist', code: '42P01' }),
        }),
        wrapped: expect.objectContaining({ message: 'outer', cause: expect.objectContaining({ query: expect.any(String) }) }),
      }),
    ])
  })

  test("an error's objects stay out of the line (node-postgres attaches its whole client to a pool error)", () => {
    const { logger, parsed } = capture()
    const error = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      severity: 'FATAL',
      client: { connectionParameters: { password: SESSION_TOKEN }, secretKey: 12345 },
    })
    logger.warn('idle database connection lost', { error })
    expect(parsed()).toEqual([
      {
        time: expect.any(String),
        level: 'warn',
        message: 'idle database connection lost',
        error: {
          name: 'Error',
          message: 'terminating connection due to administrator command',
          code: '57P01',
          severity: 'FATAL',
          stack: expect.stringMatching(/^Error: terminating connection due to administrator command\n/),
        },
      },
    ])
  })

  test.each([
    ['authorization', { headers: { authorization: `Bearer tf_${SESSION_TOKEN}` } }],
    ['cookie', { request: { headers: { cookie: `session=${SESSION_TOKEN}` } } }],
    ['password', { user: { email: 'a@b.c', password: SESSION_TOKEN } }],
    ['token', { token: SESSION_TOKEN }],
    ['a token hash, deep in an array', { rows: [{ nested: { deeper: { tokenHash: SESSION_TOKEN } } }] }],
    ['a secret', { config: { betterAuthSecret: SESSION_TOKEN } }],
  ])('a field named like a secret (%s) is redacted', (_name, fields) => {
    const { logger, lines } = capture()
    logger.warn('with a secret', fields)
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain(SESSION_TOKEN)
    expect(lines[0]).toContain('[redacted]')
  })
})

describe('the console filter', () => {
  afterEach(() => vi.restoreAllMocks())

  test('prints an error that carries query parameters without them, and everything else untouched', async () => {
    const printed: unknown[][] = []
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args)
    })
    installConsoleFilter()
    installConsoleFilter() // idempotent: a second call must not wrap twice
    const thrown = Object.assign(await failedQuery(), { digest: '12345' })
    const plain = new Error('plain')
    console.error(thrown)
    console.error('⨯', plain, { other: 1 })
    expect(printed).toHaveLength(2)
    const scrubbed = printed[0]?.[0]
    expect(scrubbed).toBeInstanceOf(Error)
    expect(String(scrubbed)).toBe('Error: Failed query: select * from missing_sessions where token = $1 and email = $2')
    // How Node prints it: stack, own properties and cause.
    expect(inspect(scrubbed)).not.toContain(SESSION_TOKEN)
    expect(inspect(scrubbed)).not.toContain(EMAIL)
    expect(inspect(scrubbed)).toContain('relation "missing_sessions" does not exist')
    expect(Reflect.get(Object(scrubbed), 'digest')).toBe('12345')
    expect(printed[1]).toEqual(['⨯', plain, { other: 1 }])
    expect(printed[1]?.[1]).toBe(plain)
  })
})
