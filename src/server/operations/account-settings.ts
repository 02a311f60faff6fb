// Settings → Account and security: the signed-in person's own account, from the app only (no HTTP shape: an API
// token is a workspace credential and cannot change the person behind it; the services refuse one as well).
import { z } from 'zod'
import * as deletion from '../services/account-deletion'
import * as settings from '../services/account-settings'
import * as verification from '../services/email-verification'
import * as sessions from '../services/sessions'
import { operation } from './operation'

export const renameAccount = operation({
  name: 'account.rename',
  summary: 'Change your name',
  tag: 'Account',
  input: settings.RenameInput,
  output: settings.Profile,
  scope: null,
  role: null,
  run: settings.rename,
})

export const changeEmail = operation({
  name: 'account.changeEmail',
  summary: 'Move your account to a new e-mail address (confirmed from that address)',
  tag: 'Account',
  input: settings.ChangeEmailInput,
  output: z.object({ email: z.email() }),
  scope: null,
  role: null,
  run: settings.requestEmailChange,
})

export const changePassword = operation({
  name: 'account.changePassword',
  summary: 'Change your password; every other session ends',
  tag: 'Account',
  input: settings.ChangePasswordInput,
  output: z.object({ signedOut: z.number().int().min(0) }),
  scope: null,
  role: null,
  run: settings.changePassword,
})

export const resendVerification = operation({
  name: 'account.resendVerification',
  summary: 'Send the e-mail that confirms your address again',
  tag: 'Account',
  input: z.object({}),
  output: z.object({ email: z.email() }),
  scope: null,
  role: null,
  run: (ctx) => verification.resendVerification(ctx),
})

export const revokeSession = operation({
  name: 'sessions.revoke',
  summary: 'Sign one of your sessions out',
  tag: 'Account',
  input: sessions.SessionIdInput,
  output: z.object({ id: z.string() }),
  scope: null,
  role: null,
  run: sessions.revoke,
})

export const revokeOtherSessions = operation({
  name: 'sessions.revokeOthers',
  summary: 'Sign out of every other device',
  tag: 'Account',
  input: z.object({}),
  output: z.object({ signedOut: z.number().int().min(0) }),
  scope: null,
  role: null,
  run: (ctx) => sessions.revokeOthers(ctx),
})

export const deleteAccount = operation({
  name: 'account.delete',
  summary: 'Delete your account, and each workspace where you are the only member',
  tag: 'Account',
  input: deletion.DeleteAccountInput,
  output: deletion.DeletedAccount,
  scope: null,
  role: null,
  run: deletion.deleteAccount,
})
