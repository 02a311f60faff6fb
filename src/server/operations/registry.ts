// Every operation, in two lists: the public API's (the OpenAPI document and the API authorization matrix are built
// from it) and the app's own (served only as server actions). The service authorization matrix covers both.

import {
  changeEmail,
  changePassword,
  deleteAccount,
  renameAccount,
  resendVerification,
  revokeOtherSessions,
  revokeSession,
} from './account-settings'
import { getMe } from './accounts'
import { activityEvents, listActivity } from './activity'
import { openBillingPortal, startCheckout } from './billing'
import { deleteFile, downloadFile, listFiles, uploadFile } from './files'
import type { Operation } from './operation'
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects'
import { createToken, revokeToken } from './tokens'
import {
  acceptInvitation,
  changeMemberRole,
  changeWorkspaceSlug,
  createInvitation,
  createWorkspace,
  deleteWorkspace,
  getWorkspace,
  leaveWorkspace,
  listMembers,
  removeMember,
  renameWorkspace,
  resendInvitation,
  revokeInvitation,
  transferOwnership,
} from './workspaces'

export const publicOperations: readonly Operation[] = [
  listProjects,
  createProject,
  getProject,
  updateProject,
  deleteProject,
  getMe,
  getWorkspace,
  listMembers,
  listFiles,
  uploadFile,
  downloadFile,
  deleteFile,
  listActivity,
  activityEvents,
]

export const appOperations: readonly Operation[] = [
  createToken,
  revokeToken,
  createWorkspace,
  renameWorkspace,
  changeWorkspaceSlug,
  deleteWorkspace,
  leaveWorkspace,
  changeMemberRole,
  removeMember,
  transferOwnership,
  createInvitation,
  resendInvitation,
  revokeInvitation,
  acceptInvitation,
  startCheckout,
  openBillingPortal,
  renameAccount,
  changeEmail,
  changePassword,
  resendVerification,
  revokeSession,
  revokeOtherSessions,
  deleteAccount,
]

export const allOperations: readonly Operation[] = [...publicOperations, ...appOperations]
