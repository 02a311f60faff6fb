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

export function invitationMessage(m: InvitationMail): MailMessage {
  const expires = dateFormat.format(m.expiresAt)
  // A subject is one line: names are single-line by their own rules, and any break left is flattened here too.
  const subject = `${m.inviterName} invited you to ${m.workspaceName} on Twofold`.replace(/[\r\n]+/g, ' ')
  const text = [
    `${m.inviterName} invited you to join the workspace “${m.workspaceName}” on Twofold as ${m.role === 'admin' ? 'an' : 'a'} ${m.role}.`,
    '',
    'Accept the invitation here (you can sign in or create an account on the way):',
    m.acceptUrl,
    '',
    `The link works once and expires on ${expires}. If you did not expect this e-mail, ignore it.`,
  ].join('\n')
  const html = `<!doctype html>
<html><body>
<p>${escapeHtml(m.inviterName)} invited you to join the workspace <strong>${escapeHtml(m.workspaceName)}</strong> on Twofold as ${m.role === 'admin' ? 'an' : 'a'} ${escapeHtml(m.role)}.</p>
<p><a href="${escapeHtml(m.acceptUrl)}">Accept the invitation</a></p>
<p>The link works once and expires on ${escapeHtml(expires)}. If you did not expect this e-mail, ignore it.</p>
</body></html>`
  return { to: m.to, subject, text, html }
}
