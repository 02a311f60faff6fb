// How a message leaves the app: through SMTP when SMTP_URL is set, otherwise into the dev mailbox.
import type { Transporter } from 'nodemailer'
import type { Config } from '../config'
import type { Logger } from '../log'

/**
 * One e-mail, as the app writes it: every message has a plain-text and an HTML body. `id` (the outbox row's) makes its
 * Message-ID, the same on every attempt: a worker that dies after handing a message over but before recording it sent
 * leaves it to be sent again (SMTP cannot do better than at least once), and the copy is then recognisably the same
 * message, which mail providers and clients use to drop duplicates.
 */
export type MailMessage = { to: string; subject: string; text: string; html: string; id?: string }

export type MailTransport = {
  /** What the dev mailbox page says about where mail goes. */
  readonly kind: 'smtp' | 'dev-mailbox'
  /** Resolves once the message is accepted for delivery; rejects if it was not. */
  send(message: MailMessage): Promise<void>
}

// A server that accepts the connection and then says nothing must not hold a worker for nodemailer's defaults
// (two minutes to connect, ten of silence): the outbox retries later anyway.
const SMTP_TIMEOUTS_MS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000, dnsTimeout: 5_000 }

export function smtpTransport(url: string, from: string): MailTransport {
  // nodemailer is loaded with the first message, not at start: an instance that never sends (an API-only one,
  // most of the time) never pays for loading it.
  let transporter: Promise<Transporter> | undefined
  return {
    kind: 'smtp',
    async send(message) {
      transporter ??= import('nodemailer').then(({ createTransport }) => createTransport({ url, ...SMTP_TIMEOUTS_MS }, { from }))
      const { id, ...mail } = message
      await (await transporter).sendMail(id ? { ...mail, messageId: `<${id}@${domainOf(from)}>` } : mail)
    },
  }
}

/** The domain of the From address (`Twofold <no-reply@example.com>` → example.com), for Message-IDs. */
function domainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost'
}

/**
 * Development's transport: the outbox row is the delivered message, read at /dev/mailbox, so "sending" is only
 * a log line pointing there.
 */
export function devMailboxTransport(log: Logger, appUrl: string): MailTransport {
  return {
    kind: 'dev-mailbox',
    async send(message) {
      log.info('mail delivered to the dev mailbox', { to: message.to, subject: message.subject, read: `${appUrl}/dev/mailbox` })
    },
  }
}

/**
 * The transport the configuration asks for. Production without SMTP_URL has none: its mail stays pending in the
 * outbox, to be sent once SMTP is configured, rather than vanish into a mailbox production does not serve.
 */
export function mailTransportFor(cfg: Config, log: Logger): MailTransport | null {
  if (cfg.mail.smtpUrl) return smtpTransport(cfg.mail.smtpUrl, cfg.mail.from)
  if (cfg.env === 'production') return null
  return devMailboxTransport(log, cfg.appUrl)
}
