// The workspace a page under /w/{slug} shows: the signed-in person's context in it, and their membership read from
// the database. Not a member, or no such workspace, is the 404 page: a slug reveals nothing.
import { notFound } from 'next/navigation'
import { toAppError } from '@/server/errors'
import { requireSession } from '@/server/operations/next'
import * as workspaces from '@/server/services/workspaces'

/** Throws notFound() for a service's NOT_FOUND (matched by code: another bundle's class is not instanceof ours). */
export function notFoundIfMissing(error: unknown): never {
  if (toAppError(error).code === 'NOT_FOUND') notFound()
  throw error
}

export async function currentWorkspace(slug: string, returnTo: string) {
  const ctx = await requireSession(returnTo, slug)
  const workspace = await workspaces.current(ctx).catch(notFoundIfMissing)
  return { ctx, workspace }
}
