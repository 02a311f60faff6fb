// Turns a submitted form into plain input: repeated fields become arrays, framework fields are dropped.
import { ValidationError } from '../errors'

/** Next adds `$ACTION_*` fields to forms posted without JavaScript; they are not input. */
const FRAMEWORK_FIELD = /^\$ACTION/

export function formToInput(form: FormData): Record<string, string | string[]> {
  const input: Record<string, string | string[]> = {}
  for (const key of new Set(form.keys())) {
    if (FRAMEWORK_FIELD.test(key)) continue
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string')
    if (values.length === 1 && values[0] !== undefined) input[key] = values[0]
    else if (values.length > 1) input[key] = values
  }
  return input
}

/**
 * A server action is a public endpoint: its arguments are whatever the caller posted, not necessarily a form.
 * Anything else is the caller's mistake (VALIDATION), never a crash.
 */
export function submittedFormInput(submitted: unknown): Record<string, string | string[]> {
  if (!(submitted instanceof FormData)) throw new ValidationError({}, 'Expected a form submission.')
  return formToInput(submitted)
}

/** What to echo back into a re-rendered form: everything typed except secrets. */
export function echoValues(input: unknown): Record<string, string> {
  const echoed: Record<string, string> = {}
  if (typeof input !== 'object' || input === null) return echoed
  for (const [key, value] of Object.entries(input)) {
    if (/password|token|secret/i.test(key)) continue
    if (typeof value === 'string') echoed[key] = value
    else if (Array.isArray(value)) echoed[key] = value.filter((v) => typeof v === 'string').join('\n')
  }
  return echoed
}
