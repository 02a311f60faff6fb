// The server-action rendering of the error taxonomy: the result shape useActionState works with.
import type { AppError, ErrorCode, FieldErrors } from '../errors'
import { ValidationError } from '../errors'

export type ActionError = {
  code: ErrorCode
  message: string
  fieldErrors?: FieldErrors
  /** For INTERNAL errors: the id the failure was logged under, so a support request can find it. */
  reference?: string
  /** For PLAN_LIMIT: upgrading the workspace lifts it, so the form links to the billing page. */
  upgrade?: true
}

export type ActionResult<T> =
  | { ok: true; data: T }
  /** `values` echoes what was submitted, so a form re-rendered without JavaScript keeps what was typed. */
  | { ok: false; error: ActionError; values: Record<string, string> }

export function actionError(error: AppError, values: Record<string, string>, reference?: string): ActionResult<never> {
  const rendered: ActionError = { code: error.code, message: error.message }
  if (error instanceof ValidationError) rendered.fieldErrors = error.fieldErrors
  // Read by name, not instanceof: another bundle's PlanLimit is not this one's.
  if (error.code === 'PLAN_LIMIT' && Reflect.get(error, 'upgrade') === true) rendered.upgrade = true
  if (reference) {
    rendered.reference = reference
    rendered.message = `${error.message} (reference ${reference})`
  }
  return { ok: false, error: rendered, values }
}
