// The workspace a page under /w/{slug} shows: the signed-in person's context in it, and their membership read from
// the database. Not a member, or no such workspace, is the 404 page: a slug reveals nothing.
import { notFound } from 'next/navigation'
import { cache } from 'react'
import { toAppError } from '@/server/errors'
import { requireSession, sessionContext } from '@/server/runtime/next'
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

export async function currentWorkspace(slug: string, returnTo: string) {
  const ctx = await requireSession(returnTo, slug)
  return { ctx, workspace: await workspaceBySlug(slug) }
}
