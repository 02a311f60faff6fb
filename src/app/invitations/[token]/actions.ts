'use server'
import { acceptInvitation } from '@/server/operations/workspaces'
// Accepting an invitation: the operation adapted to a server action, landing in the workspace it joined.
import { nextAction } from '@/server/runtime/next'

export const acceptInvitationAction = nextAction(acceptInvitation, {
  revalidate: () => ['/dashboard'],
  redirectTo: (joined) => `/w/${joined.slug}?joined=1`,
})
