// Structured logs through pino: one JSON object a line on stdout, so any log collector can parse them.
// Nothing secret may reach a line: Drizzle puts a failed query's parameters (session tokens, token hashes,
// e-mail addresses) in its error's `params` and message, so errors are serialised without them, and fields
// whose name says they hold a secret are replaced, at any depth.
import pino, { type DestinationStream } from 'pino'
import { config } from './config'

type Level = 'debug' | 'info' | 'warn' | 'error'
type LogLevel = Level | 'silent'

/** The access-log line of one API request: plain values only, so it is written without the redaction walk. */
export type AccessLine = { requestId: string; route: string; method: string; status: number; durationMs: number }

export type Logger = Record<Level, (message: string, fields?: Record<string, unknown>) => void> & {
  /** One line per API request at info: the hottest log call, so it skips redaction (nothing in it can be secret). */
  access(line: AccessLine): void
}

const REDACTED = '[redacted]'
const SECRET_KEY = /(authorization|cookie|password|secret|token|hash|api-?key)$/i
// Drizzle's DrizzleQueryError message is `Failed query: <sql>\nparams: <values>`; the stack repeats it.
const PARAMS_PART = /\nparams: [\s\S]*?(?=\n {4}at |$)/
// Properties never copied from an error: the values bound to a query, and PostgreSQL's `detail`, which quotes
// the offending row ("Key (email)=(…) already exists").
const DROPPED_ERROR_KEYS = new Set(['params', 'detail', 'message', 'stack', 'cause', 'name'])
const MAX_DEPTH = 8

export function withoutQueryParams(text: string): string {
  return text.replace(PARAMS_PART, '')
}

function serializeError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: withoutQueryParams(error.message) }
  // Only plain values (code, severity, query, digest...): node-postgres hangs the whole client on a pool error,
  // connection parameters and cancel key included.
  for (const [key, value] of Object.entries(error)) {
    if (DROPPED_ERROR_KEYS.has(key) || (typeof value === 'object' && value !== null) || typeof value === 'function') continue
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(value, depth + 1)
  }
  if (error.stack) out.stack = withoutQueryParams(error.stack)
  if (error.cause !== undefined) out.cause = redact(error.cause, depth + 1)
  return out
}

/** `value` made safe to log: errors without query parameters, secret-named fields replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[too deep]'
  if (typeof value === 'string') return withoutQueryParams(value)
  if (value instanceof Error) return serializeError(value, depth)
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  if (value instanceof Date || value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(field, depth + 1)
  }
  return out
}

// pino's own redaction as a second net for the usual places a secret sits (request headers, credentials), in
// case a field ever reaches pino without going through redact().
const REDACT_PATHS = ['authorization', 'cookie', 'password', 'token', 'secret']
  .flatMap((key) => [key, `*.${key}`, `headers.${key}`, `*.headers.${key}`])
  .concat(['headers["set-cookie"]', '*.headers["set-cookie"]'])

const STDOUT = Symbol.for('twofold.log-stdout')

type BatchedStdout = DestinationStream & { flush(): void }

/**
 * Lines a request logs are kept until the event loop's current turn ends and then written together, with one
 * synchronous write (sonic-boom's, which retries a full pipe): a request no longer pays a syscall of its own for its
 * access line, and lines never wait on a thread or a timer. Order is kept, and nothing is lost at exit: the batch is
 * written out on process exit and by flushLogs(), which shutdown calls before the server writes its last line.
 * Shared by every bundle's copy of this module (Next compiles several), so one flush empties them all.
 */
function stdout(): BatchedStdout {
  const holder = globalThis as { [STDOUT]?: BatchedStdout }
  if (holder[STDOUT]) return holder[STDOUT]
  const out = pino.destination({ dest: 1, sync: true })
  let pending: string[] = []
  const flush = () => {
    if (!pending.length) return
    const text = pending.join('')
    pending = []
    out.write(text)
  }
  const batched: BatchedStdout = {
    write(line: string) {
      if (!pending.length) setImmediate(flush)
      pending.push(line)
    },
    flush,
  }
  process.once('exit', flush)
  holder[STDOUT] = batched
  return batched
}

/** Writes out every log line still waiting for the end of the event loop's turn (at shutdown, before the server's last line). */
export function flushLogs(): void {
  ;(globalThis as { [STDOUT]?: BatchedStdout })[STDOUT]?.flush()
}

const PINO_OPTIONS = {
  messageKey: 'message',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
}

/** A Logger writing to `destination` (stdout by default) at `level` and above. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const sink = destination ?? stdout()
  const logger = pino({ ...PINO_OPTIONS, level, redact: { paths: REDACT_PATHS, censor: REDACTED } }, sink)
  // Same destination and format, without pino's redaction pass: only for the typed access line.
  const plain = pino({ ...PINO_OPTIONS, level }, sink)
  const write = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (!logger.isLevelEnabled(level)) return
    const safe = fields ? redact(fields) : undefined
    if (safe && typeof safe === 'object') logger[level](safe, withoutQueryParams(message))
    else logger[level](withoutQueryParams(message))
  }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    access: (line) => plain.info(line, 'request'),
  }
}

// Built on first use, not at import: the configuration is read from the environment, and a build imports this
// module without one.
let defaultLogger: Logger | undefined
const current = () => {
  defaultLogger ??= createLogger(config().logLevel)
  return defaultLogger
}

export const log: Logger = {
  debug: (m, f) => current().debug(m, f),
  info: (m, f) => current().info(m, f),
  warn: (m, f) => current().warn(m, f),
  error: (m, f) => current().error(m, f),
  access: (line) => current().access(line),
}

/** Better Auth's `logger` option: its messages go through ours (and so through redact), quiet in tests. */
export function authLogger(options: { disabled: boolean }) {
  return {
    disabled: options.disabled,
    log(level: Level, message: string, ...args: unknown[]) {
      log[level](`auth: ${message}`, args.length ? { details: args } : undefined)
    },
  }
}

function carriesQueryParams(value: unknown, depth = 0): boolean {
  if (depth > 5) return false
  if (typeof value === 'string') return PARAMS_PART.test(value)
  if (!(value instanceof Error)) return false
  return 'params' in value || PARAMS_PART.test(value.message) || carriesQueryParams(value.cause, depth + 1)
}

/** A copy of `error` that prints the same (name, message, stack, digest, code) minus query parameters. */
function scrubbedError(error: Error, depth = 0): Error {
  const cause = error.cause instanceof Error && depth < 5 ? scrubbedError(error.cause, depth + 1) : error.cause
  const copy = new Error(withoutQueryParams(error.message), error.cause === undefined ? undefined : { cause })
  copy.name = error.name
  copy.stack = error.stack === undefined ? undefined : withoutQueryParams(error.stack)
  for (const [key, value] of Object.entries(error)) {
    if (!DROPPED_ERROR_KEYS.has(key)) Reflect.set(copy, key, value)
  }
  return copy
}

const CONSOLE_FILTER = Symbol.for('twofold.console-filter')

/**
 * Next prints an error a page or route throws with console.error, as is: a DrizzleQueryError would put its query
 * parameters in the log. This wraps console.error and console.warn, once per process, so that an argument carrying
 * them is printed without; every other argument passes through untouched. Installed by src/instrumentation.ts.
 */
export function installConsoleFilter(): void {
  const holder = globalThis as { [CONSOLE_FILTER]?: true }
  if (holder[CONSOLE_FILTER]) return
  holder[CONSOLE_FILTER] = true
  for (const method of ['error', 'warn'] as const) {
    const original = console[method].bind(console)
    console[method] = (...args: unknown[]) =>
      original(
        ...args.map((arg) => {
          if (!carriesQueryParams(arg)) return arg
          return arg instanceof Error ? scrubbedError(arg) : typeof arg === 'string' ? withoutQueryParams(arg) : arg
        }),
      )
  }
}
