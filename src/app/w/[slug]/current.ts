// The workspace a page under /w/{slug} shows: the signed-in person's context in it, and their membership read from
// the database. Not a member, or no such workspace, is the 404 page: a slug reveals nothing.
import { notFound } from 'next/navigation'
import { cache } from 'react'
import { toAppError } from '@/server/errors'
import { requireSession, sessionContext } from '@/server/runtime/next'
import { planSummary } from '@/server/services/workspace-billing'
import * as workspaces from '@/server/services/workspaces'

/** Throws notFound() for a service's NOT_FOUND (matched by code: another bundle's class is not instanceof ours). */
export function notFoundIfMissing(error: unknown): never {
  if (toAppError(error).code === 'NOT_FOUND') notFound()
  throw error
}

/**
 * The workspace with the caller's role in it, read once per request and shared by the layout and the page (React's
 * cache(); the membership is still read from the database for every request).
 */
export const workspaceBySlug = cache(async (slug: string) => workspaces.current(await sessionContext(slug)).catch(notFoundIfMissing))

/**
 * The workspace's plan, read once per request like the workspace: the layout's plan badge and the billing page render
 * in parallel, and with a read each, a webhook applied between the two showed Pro on the page under a "Free plan"
 * badge, and the page, seeing Pro, stopped reloading itself, so the badge stayed wrong.
 */
export const workspacePlan = cache(async (slug: string) => planSummary(await sessionContext(slug)))

export async function currentWorkspace(slug: string, returnTo: string) {
  const ctx = await requireSession(returnTo, slug)
  return { ctx, workspace: await workspaceBySlug(slug) }
}
