// The dev mailbox: in development, every e-mail the app sent (with no SMTP_URL, the outbox is the mailbox).
// Development only (a *.dev.tsx page: `next dev` compiles it, a production build has no such page), since it would show
// anyone every message the app sends.
import { LocalTime } from '@/components/ui/local-time'
import { unlessUnavailable } from '@/components/unavailable-page'
import { recentMail, textWithLinks } from '@/dev/mailbox'
import { getRuntime } from '@/server/runtime'

export const dynamic = 'force-dynamic'

/** A plain-text body with its links clickable; everything else stays text (React escapes it). */
function linkified(text: string) {
  return textWithLinks(text).map((part, i) =>
    part.href ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text, never reordered
      <a key={i} href={part.href}>
        {part.text}
      </a>
    ) : (
      part.text
    ),
  )
}

export default async function DevMailboxPage() {
  return unlessUnavailable('/dev/mailbox', Mailbox)
}

async function Mailbox() {
  const { database, config: cfg } = await getRuntime()
  const mail = await recentMail(database.db, 50)
  return (
    <main>
      <title>Dev mailbox</title>
      <h1>Dev mailbox</h1>
      <p className="hint mb-4">
        {cfg.mail.smtpUrl
          ? 'SMTP_URL is set: these messages also went to that server.'
          : 'Every e-mail the app sends in development lands here; set SMTP_URL to send real mail.'}{' '}
        Newest first; reload to see new mail.
      </p>
      {mail.length === 0 ? (
        <p className="empty">No mail yet.</p>
      ) : (
        <ul className="stack">
          {mail.map((message) => (
            <li key={message.id} className="card">
              <h2>{message.subject}</h2>
              <p>
                To <strong>{message.to}</strong> · <LocalTime iso={message.createdAt} /> · {message.status}
                {message.status !== 'sent' && ` after ${message.attempts} attempt(s)`}
                {message.lastError && ` (${message.lastError})`}
              </p>
              {/* Long lines (a link's token) wrap instead of widening the page. */}
              <pre className="whitespace-pre-wrap [overflow-wrap:anywhere]">{linkified(message.text)}</pre>
              <p>
                <a href={`/api/dev/mailbox/${message.id}`} target="_blank" rel="noopener noreferrer">
                  View the HTML version
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
    </main>
  )
}
