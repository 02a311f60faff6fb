// Workspace operations: the workspace itself (read over the API; created, renamed, moved, left and deleted from the
// app), its members and its invitations.
import { z } from 'zod'
import * as invitations from '../services/invitations'
import * as members from '../services/members'
import * as workspaces from '../services/workspaces'
import { operation } from './operation'

export const getWorkspace = operation({
  name: 'workspace.get',
  summary: 'The token’s workspace, and the caller’s role in it',
  tag: 'Workspace',
  input: z.object({}),
  output: workspaces.Workspace,
  scope: null,
  role: 'member',
  http: { method: 'GET', path: '/api/v1/workspace', status: 200 },
  run: (ctx) => workspaces.current(ctx),
})

export const listMembers = operation({
  name: 'members.list',
  summary: 'List the workspace’s members (admins)',
  tag: 'Workspace',
  input: z.object({}),
  output: members.MemberList,
  scope: 'members:read',
  role: 'admin',
  http: { method: 'GET', path: '/api/v1/workspace/members', status: 200 },
  run: (ctx) => members.list(ctx),
})

export const createWorkspace = operation({
  name: 'workspaces.create',
  summary: 'Create a workspace',
  tag: 'Workspace',
  input: workspaces.CreateWorkspaceInput,
  output: workspaces.Workspace,
  scope: null,
  role: null,
  run: workspaces.create,
})

export const renameWorkspace = operation({
  name: 'workspace.rename',
  summary: 'Rename the workspace',
  tag: 'Workspace',
  input: workspaces.RenameWorkspaceInput,
  output: workspaces.Workspace,
  scope: null,
  role: 'owner',
  run: workspaces.rename,
})

export const changeWorkspaceSlug = operation({
  name: 'workspace.changeSlug',
  summary: 'Change the workspace’s address',
  tag: 'Workspace',
  input: workspaces.ChangeSlugInput,
  output: workspaces.Workspace,
  scope: null,
  role: 'owner',
  run: workspaces.changeSlug,
})

export const deleteWorkspace = operation({
  name: 'workspace.delete',
  summary: 'Delete the workspace with its projects and tokens',
  tag: 'Workspace',
  input: workspaces.DeleteWorkspaceInput,
  output: workspaces.Workspace,
  scope: null,
  role: 'owner',
  run: workspaces.remove,
})

export const leaveWorkspace = operation({
  name: 'workspace.leave',
  summary: 'Leave the workspace',
  tag: 'Workspace',
  input: z.object({}),
  output: workspaces.Workspace,
  scope: null,
  role: 'member',
  run: (ctx) => workspaces.leave(ctx),
})

export const changeMemberRole = operation({
  name: 'members.changeRole',
  summary: 'Change a member’s role',
  tag: 'Workspace',
  input: members.ChangeRoleInput,
  output: members.Member,
  scope: null,
  role: 'admin',
  run: members.changeRole,
})

export const removeMember = operation({
  name: 'members.remove',
  summary: 'Remove a member',
  tag: 'Workspace',
  input: members.RemoveMemberInput,
  output: members.Member,
  scope: null,
  role: 'admin',
  run: members.remove,
})

export const transferOwnership = operation({
  name: 'members.transferOwnership',
  summary: 'Make another member the owner; the caller becomes an admin',
  tag: 'Workspace',
  input: members.TransferOwnershipInput,
  output: members.Member,
  scope: null,
  role: 'owner',
  run: members.transferOwnership,
})

export const createInvitation = operation({
  name: 'invitations.create',
  summary: 'Invite someone by e-mail',
  tag: 'Workspace',
  input: invitations.CreateInvitationInput,
  output: invitations.Invitation,
  scope: null,
  role: 'admin',
  run: invitations.create,
})

export const resendInvitation = operation({
  name: 'invitations.resend',
  summary: 'Send an invitation again, with a new link',
  tag: 'Workspace',
  input: invitations.InvitationIdInput,
  output: invitations.Invitation,
  scope: null,
  role: 'admin',
  run: invitations.resend,
})

export const revokeInvitation = operation({
  name: 'invitations.revoke',
  summary: 'Withdraw an invitation',
  tag: 'Workspace',
  input: invitations.InvitationIdInput,
  output: invitations.Invitation,
  scope: null,
  role: 'admin',
  run: invitations.revoke,
})

export const acceptInvitation = operation({
  name: 'invitations.accept',
  summary: 'Accept an invitation',
  tag: 'Workspace',
  input: invitations.AcceptInvitationInput,
  output: invitations.AcceptedInvitation,
  scope: null,
  role: null,
  run: invitations.accept,
})
