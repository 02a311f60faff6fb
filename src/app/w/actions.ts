'use server'
// Everything done inside a workspace, each an operation adapted to a server action. Every form posts the
// workspace's slug (a hidden `workspace` field); the services check the membership and role from the database.
import { deleteFile } from '@/server/operations/files'
import { createProject, deleteProject, updateProject } from '@/server/operations/projects'
import { createToken, revokeToken } from '@/server/operations/tokens'
import {
  changeMemberRole,
  changeWorkspaceSlug,
  createInvitation,
  createWorkspace,
  deleteWorkspace,
  leaveWorkspace,
  removeMember,
  renameWorkspace,
  resendInvitation,
  revokeInvitation,
  transferOwnership,
} from '@/server/operations/workspaces'
import { nextAction } from '@/server/runtime/next'

/** The workspace's pages, for revalidation: `/w/{slug}` and everything under it (its layout shows the name and role). */
const workspacePages = (slug: string | undefined) => (slug ? [`/w/${slug}`, `/w/${slug}/settings`, `/w/${slug}/settings/members`] : [])
const home = (slug: string | undefined) => `/w/${slug ?? ''}`

export const createWorkspaceAction = nextAction(createWorkspace, {
  revalidate: () => ['/dashboard'],
  redirectTo: (workspace) => `/w/${workspace.slug}`,
})

export const renameWorkspaceAction = nextAction(renameWorkspace, {
  revalidate: (workspace) => workspacePages(workspace.slug),
})

export const changeWorkspaceSlugAction = nextAction(changeWorkspaceSlug, {
  redirectTo: (workspace) => `/w/${workspace.slug}/settings`,
})

export const deleteWorkspaceAction = nextAction(deleteWorkspace, {
  revalidate: () => ['/dashboard'],
  redirectTo: () => '/dashboard',
})

export const leaveWorkspaceAction = nextAction(leaveWorkspace, {
  confirm: 'Tick the box to confirm that you are leaving.',
  revalidate: () => ['/dashboard'],
  redirectTo: () => '/dashboard',
})

export const createProjectAction = nextAction(createProject, { revalidate: (_p, _i, { workspace }) => [home(workspace)] })

export const updateProjectAction = nextAction(updateProject, {
  revalidate: (project, _i, { workspace }) => [home(workspace), `${home(workspace)}/projects/${project.id}`],
})

export const deleteProjectAction = nextAction(deleteProject, {
  confirm: 'Tick the box to confirm the deletion.',
  revalidate: (_p, _i, { workspace }) => [home(workspace)],
  redirectTo: (deleted, _i, { workspace }) => `${home(workspace)}?deleted=${encodeURIComponent(deleted.name)}`,
})

export const deleteFileAction = nextAction(deleteFile, {
  confirm: 'Tick the box to confirm the deletion.',
  revalidate: (file, _i, { workspace }) => [`${home(workspace)}/projects/${file.projectId}`],
})

const tokensPage = (_data: unknown, _input: unknown, { workspace }: { workspace?: string }) => [`${home(workspace)}/settings/tokens`]

export const createTokenAction = nextAction(createToken, { revalidate: tokensPage })

export const revokeTokenAction = nextAction(revokeToken, { confirm: 'Tick the box to confirm revoking the token.', revalidate: tokensPage })

const membersPage = (_data: unknown, _input: unknown, { workspace }: { workspace?: string }) => [`${home(workspace)}/settings/members`]

export const changeMemberRoleAction = nextAction(changeMemberRole, { revalidate: (_d, _i, { workspace }) => workspacePages(workspace) })

export const removeMemberAction = nextAction(removeMember, {
  confirm: 'Tick the box to confirm removing this member.',
  revalidate: membersPage,
})

export const transferOwnershipAction = nextAction(transferOwnership, {
  confirm: 'Tick the box to confirm handing over the workspace.',
  revalidate: (_d, _i, { workspace }) => workspacePages(workspace),
})

export const createInvitationAction = nextAction(createInvitation, { revalidate: membersPage })

export const resendInvitationAction = nextAction(resendInvitation, { revalidate: membersPage })

export const revokeInvitationAction = nextAction(revokeInvitation, { revalidate: membersPage })
