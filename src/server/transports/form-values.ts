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
 * The one gate every server action's submitted value passes through (toAction, and the actions not built from an
 * operation). An action is a public endpoint, and Next lets a client call it with JSON arguments (a `text/plain`
 * body) as well as with a form: a JSON object, array, null, number or string would be a second input format that no
 * form rule was written for. Only a form — what a browser posts, with JavaScript on (useActionState passes it
 * second, after the previous state) or off — becomes input; anything else is refused before the action does
 * anything. Returns null for a refusal; actions that return a result use submittedFormInput instead.
 */
export function formOrNothing(submitted: unknown): Record<string, string | string[]> | null {
  return submitted instanceof FormData ? formToInput(submitted) : null
}

/** The gate for actions that return a result: anything but a form is the caller's mistake (VALIDATION), never a crash. */
export function submittedFormInput(submitted: unknown): Record<string, string | string[]> {
  const input = formOrNothing(submitted)
  if (input === null) throw new ValidationError({}, 'Expected a form submission.')
  return input
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
