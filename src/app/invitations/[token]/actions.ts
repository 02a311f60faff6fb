'use server'
// Accepting an invitation: the operation adapted to a server action, landing in the workspace it joined.
import { nextAction } from '@/server/operations/next'
import { acceptInvitation } from '@/server/operations/workspaces'

export const acceptInvitationAction = nextAction(acceptInvitation, {
  revalidate: () => ['/dashboard'],
  redirectTo: (joined) => `/w/${joined.slug}?joined=1`,
})
