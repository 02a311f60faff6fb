// The e-mails the app writes, each with a plain-text and an HTML body. Everything interpolated into HTML is escaped.
import type { MailMessage } from './transport'

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' })

export type InvitationMail = {
  to: string
  inviterName: string
  workspaceName: string
  role: string
  acceptUrl: string
  expiresAt: Date
}

/**
 * A personal workspace carries its owner's name, so "Grace Hopper invited you to Grace Hopper" would read as a typo:
 * when the workspace is named after the inviter, it is "their workspace".
 */
function invitedTo(m: InvitationMail): { short: string; long: string; html: string } {
  if (m.workspaceName.trim() === m.inviterName.trim()) return { short: 'their workspace', long: 'their workspace', html: 'their workspace' }
  return {
    short: m.workspaceName,
    long: `the workspace “${m.workspaceName}”`,
    html: `the workspace <strong>${escapeHtml(m.workspaceName)}</strong>`,
  }
}

export function invitationMessage(m: InvitationMail): MailMessage {
  const expires = dateFormat.format(m.expiresAt)
  const to = invitedTo(m)
  // A subject is one line: names are single-line by their own rules, and any break left is flattened here too.
  const subject = `${m.inviterName} invited you to ${to.short} on Twofold`.replace(/[\r\n]+/g, ' ')
  const text = [
    `${m.inviterName} invited you to join ${to.long} on Twofold as ${m.role === 'admin' ? 'an' : 'a'} ${m.role}.`,
    '',
    'Accept the invitation here (you can sign in or create an account on the way):',
    m.acceptUrl,
    '',
    `The link works once and expires on ${expires}. If you did not expect this e-mail, ignore it.`,
  ].join('\n')
  const html = `<!doctype html>
<html><body>
<p>${escapeHtml(m.inviterName)} invited you to join ${to.html} on Twofold as ${m.role === 'admin' ? 'an' : 'a'} ${escapeHtml(m.role)}.</p>
<p><a href="${escapeHtml(m.acceptUrl)}">Accept the invitation</a></p>
<p>The link works once and expires on ${escapeHtml(expires)}. If you did not expect this e-mail, ignore it.</p>
</body></html>`
  return { to: m.to, subject, text, html }
}

const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' })

/** An account e-mail: a greeting, what the link does, the link, and how long it works. */
type AccountMail = { to: string; name: string; url: string; expiresAt: Date }

function accountMessage(m: AccountMail, subject: string, lead: string, action: string, after: string[]): MailMessage {
  const expires = `${timeFormat.format(m.expiresAt)} UTC`
  const text = [`Hello ${m.name},`, '', lead, '', `${action}:`, m.url, '', `The link works once and expires on ${expires}.`, ...after].join(
    '\n',
  )
  const html = `<!doctype html>
<html><body>
<p>Hello ${escapeHtml(m.name)},</p>
<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(m.url)}">${escapeHtml(action)}</a></p>
<p>The link works once and expires on ${escapeHtml(expires)}.</p>
${after.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
</body></html>`
  return { to: m.to, subject, text, html }
}

export function verifyEmailMessage(m: AccountMail): MailMessage {
  return accountMessage(
    m,
    'Confirm your e-mail address for Twofold',
    `Please confirm that ${m.to} is your address on Twofold.`,
    'Confirm your address',
    ['If you did not create a Twofold account, ignore this e-mail: nothing happens unless the link is followed.'],
  )
}

export function changeEmailMessage(m: AccountMail): MailMessage {
  return accountMessage(
    m,
    'Confirm your new e-mail address for Twofold',
    `You asked to change the e-mail address of your Twofold account to ${m.to}. It changes once you confirm it here.`,
    'Confirm the new address',
    ['If you did not ask for this, ignore this e-mail: your account keeps its current address.'],
  )
}

export function resetPasswordMessage(m: AccountMail): MailMessage {
  return accountMessage(
    m,
    'Reset your Twofold password',
    'Someone (we hope you) asked to reset the password of your Twofold account.',
    'Choose a new password',
    [
      'Setting a new password signs your account out everywhere. API tokens keep working: revoke them in each workspace’s settings if you think someone else had your password.',
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ],
  )
}

export function emailChangedMessage(m: { to: string; name: string; newEmail: string; at: Date }): MailMessage {
  const at = `${timeFormat.format(m.at)} UTC`
  const text = [
    `Hello ${m.name},`,
    '',
    `The e-mail address of your Twofold account was changed from ${m.to} to ${m.newEmail} on ${at}.`,
    'If that was not you, your account may be in someone else’s hands: tell the owners of your workspaces at once.',
  ].join('\n')
  const html = `<!doctype html>
<html><body>
<p>Hello ${escapeHtml(m.name)},</p>
<p>The e-mail address of your Twofold account was changed from ${escapeHtml(m.to)} to ${escapeHtml(m.newEmail)} on ${escapeHtml(at)}.</p>
<p>If that was not you, your account may be in someone else’s hands: tell the owners of your workspaces at once.</p>
</body></html>`
  return { to: m.to, subject: 'Your Twofold e-mail address was changed', text, html }
}

export function passwordChangedMessage(m: { to: string; name: string; at: Date }): MailMessage {
  const at = `${timeFormat.format(m.at)} UTC`
  const text = [
    `Hello ${m.name},`,
    '',
    `The password of your Twofold account was changed on ${at}.`,
    'If that was not you, reset your password from the sign-in page ("Forgot password?") at once.',
  ].join('\n')
  const html = `<!doctype html>
<html><body>
<p>Hello ${escapeHtml(m.name)},</p>
<p>The password of your Twofold account was changed on ${escapeHtml(at)}.</p>
<p>If that was not you, reset your password from the sign-in page (“Forgot password?”) at once.</p>
</body></html>`
  return { to: m.to, subject: 'Your Twofold password was changed', text, html }
}
