// Structured logs: one JSON object a line on stdout/stderr, so any log collector can parse them.
import { config } from './config'

type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export type Logger = Record<Level, (message: string, fields?: Record<string, unknown>) => void>

function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause ? serialize(value.cause) : undefined }
  }
  return value
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  if (ORDER[level] < ORDER[config().logLevel]) return
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, message }
  for (const [key, value] of Object.entries(fields)) entry[key] = serialize(value)
  const line = JSON.stringify(entry)
  if (level === 'error' || level === 'warn') console.error(line)
  else console.log(line)
}

export const log: Logger = {
  debug: (m, f) => write('debug', m, f),
  info: (m, f) => write('info', m, f),
  warn: (m, f) => write('warn', m, f),
  error: (m, f) => write('error', m, f),
}
