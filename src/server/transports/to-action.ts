// Adapts an operation to a server action with the (previousState, formData) signature useActionState expects.
// Expected failures are *returned* as an ActionResult; only framework control flow (redirect) is thrown.
import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import { AppError, toAppError, ValidationError } from '../errors'
import { type ActionResult, actionError } from '../http/action-result'
import type { Logger } from '../log'
import type { Operation } from '../operations/operation'
import { requireScope, requireUserId, type ServiceContext } from '../services/context'
import { parseInput } from '../services/parse'
import { echoValues, submittedFormInput } from './form-values'

export type ActionDeps = {
  /**
   * Resolves the acting user from the session cookie — on every call, because an action is a public endpoint — in
   * the workspace the form names (its `workspace` field; the service checks the membership).
   */
  context(workspace?: string): Promise<ServiceContext>
  revalidatePath(path: string): void
  redirect(url: string): never
  /** Rethrows the framework's control flow (redirect, notFound) so it is never turned into an error result. */
  passThrough(thrown: unknown): void
  log: Logger
}

/** Where the action ran: the workspace slug the form posted (already checked by the service when this is read). */
export type ActionScope = { workspace?: string }

export type ActionOptions<I, O> = {
  /** Paths whose cached render this change invalidates. */
  revalidate?: (data: O, input: I, scope: ActionScope) => string[]
  /** Where to go on success (a post/redirect/get that also works without JavaScript). */
  redirectTo?: (data: O, input: I, scope: ActionScope) => string
  /**
   * A destructive action the app's UI asks to confirm: the form must post `confirm=yes` (a checkbox), or the action
   * refuses with this message on the `confirm` field and does nothing. The check lives here, in the app's transport,
   * because the confirmation is the UI's: an API client's DELETE is explicit already. It holds with JavaScript off
   * and against a hand-made post.
   */
  confirm?: string
}

/** `submitted` is whatever the caller sent: a form from a browser, or any JSON value from a hand-made call. */
export type Action<O> = (previous: ActionResult<O> | null, submitted: unknown) => Promise<ActionResult<O>>

export function toAction<I extends z.ZodType, O extends z.ZodType>(
  op: Operation<I, O>,
  options: ActionOptions<z.output<I>, z.output<O>>,
  deps: ActionDeps,
): Action<z.output<O>> {
  return async (_previous, submitted) => {
    let raw: Record<string, string | string[]> = {}
    const scope: ActionScope = {}
    let input: z.output<I>
    let data: z.output<O>
    try {
      // First, before the session is read: anything but a form is refused here, with nothing done.
      raw = submittedFormInput(submitted)
      scope.workspace = typeof raw.workspace === 'string' ? raw.workspace : undefined
      const ctx = await deps.context(scope.workspace)
      requireUserId(ctx.actor)
      if (op.scope) requireScope(ctx.actor, op.scope)
      input = parseInput(op.input, raw)
      if (options.confirm && raw.confirm !== 'yes') throw new ValidationError({ confirm: [options.confirm] }, options.confirm)
      data = op.output.parse(await op.run(ctx, input))
    } catch (thrown) {
      return failedAction(thrown, raw, deps, op.name)
    }
    for (const path of options.revalidate?.(data, input, scope) ?? []) deps.revalidatePath(path)
    // Outside the try: redirect() works by throwing, and that throw must reach Next untouched.
    if (options.redirectTo) deps.redirect(options.redirectTo(data, input, scope))
    return { ok: true, data }
  }
}

/**
 * The result of an action that threw: framework control flow is rethrown, expected failures are returned as they
 * are, and anything else is logged in full under a reference the person can quote, with no internals shown.
 */
export function failedAction(thrown: unknown, submitted: unknown, deps: Pick<ActionDeps, 'passThrough' | 'log'>, operation: string) {
  deps.passThrough(thrown)
  const error = toAppError(thrown)
  if (thrown instanceof AppError) return actionError(error, echoValues(submitted))
  const reference = randomUUID()
  deps.log.error('action failed', { operation, reference, error: thrown })
  return actionError(error, echoValues(submitted), reference)
}
