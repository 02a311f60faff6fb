// The dev mailbox: in development, every e-mail the app sent (with no SMTP_URL, the outbox is the mailbox).
// Development only (a *.dev.tsx page: `next dev` compiles it, a production build has no such page), since it would show
// anyone every message the app sends.
import { unlessUnavailable } from '@/components/unavailable-page'
import { recentMail } from '@/dev/mailbox'
import { getRuntime } from '@/server/runtime'

export const dynamic = 'force-dynamic'

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })

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
      <p className="hint">
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
                To <strong>{message.to}</strong> ·{' '}
                <time dateTime={message.createdAt.toISOString()}>{dateFormat.format(message.createdAt)} UTC</time> · {message.status}
                {message.status !== 'sent' && ` after ${message.attempts} attempt(s)`}
                {message.lastError && ` (${message.lastError})`}
              </p>
              <pre>{message.text}</pre>
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
