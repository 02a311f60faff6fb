// Binds the transports to Next.js: the session cookie, cache revalidation and redirects.
// Pages, actions and route files use these; tests use toAction/toRoute with their own deps instead.
import { revalidatePath } from 'next/cache'
import { headers } from 'next/headers'
import { redirect, unstable_rethrow } from 'next/navigation'
import { cache } from 'react'
import type { z } from 'zod'
import { resolveActor } from '../auth/actor'
import { log } from '../log'
import type { Operation } from '../operations/operation'
import { buildContext, type ServiceContext } from '../services/context'
import { type ActionDeps, type ActionOptions, failedAction, toAction } from '../transports/to-action'
import { getRuntime, sessionUserId } from './index'

/**
 * Who is signing this request, resolved once per request: the root layout, a workspace's layout and its page each
 * need it, and React's cache() shares one session lookup between them (outside a render it simply calls through).
 */
const sessionActor = cache(async () => {
  // headers() first: it marks the render dynamic, so a build never opens the database while prerendering.
  const requestHeaders = await headers()
  const runtime = await getRuntime()
  const actor = await resolveActor(requestHeaders, {
    db: runtime.database.db,
    now: new Date(),
    accept: 'session',
    sessionUserId: (h) => sessionUserId(runtime.auth, h),
  })
  return { runtime, actor }
})

/**
 * The service context for the signed-in person making this request (anonymous if none), working in the workspace
 * whose slug is given (from the URL or the posted form; the services check the membership).
 */
export async function sessionContext(workspace?: string): Promise<ServiceContext> {
  const { runtime, actor } = await sessionActor()
  return buildContext(actor, runtime.context, workspace)
}

/** For pages behind sign-in: the signed-in context, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireSession(returnTo: string, workspace?: string): Promise<ServiceContext & { actor: { type: 'user' } }> {
  const ctx = await sessionContext(workspace)
  if (ctx.actor.type !== 'user') redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`)
  return { ...ctx, actor: ctx.actor }
}

const actionDeps: ActionDeps = {
  context: sessionContext,
  revalidatePath: (path) => revalidatePath(path),
  redirect,
  passThrough: unstable_rethrow,
  log,
}

/** For actions not built from an operation (signing in and up): the same failure handling as toAction's. */
export function actionFailure(thrown: unknown, submitted: unknown, name: string) {
  return failedAction(thrown, submitted, actionDeps, name)
}

export function nextAction<I extends z.ZodType, O extends z.ZodType>(
  op: Operation<I, O>,
  options: ActionOptions<z.output<I>, z.output<O>> = {},
) {
  return toAction(op, options, actionDeps)
}

/** The public API's route handlers for these operations (bound to the runtime, not to Next: see route-deps.ts). */
export { apiRoutes } from './api'
