// A dev mailbox message's HTML body, shown as the recipient's mail client would: in a sandbox where it can run no
// script, load nothing and reach nothing, since it is content the app did not write itself (names, invitations).
// Development only (a *.dev.ts route: `next dev` compiles it, a production build has no such route).
import { mailHtml } from '@/dev/mailbox'
import { getRuntime } from '@/server/runtime'

export const dynamic = 'force-dynamic'

// Inline styles and data: images are how e-mail is styled; everything else, including scripts and forms, is off.
const SANDBOXED_HTML_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { database } = await getRuntime()
  const html = await mailHtml(database.db, (await params).id)
  if (html === null) return new Response(null, { status: 404 })
  return new Response(html, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': SANDBOXED_HTML_POLICY, 'Cache-Control': 'no-store' },
  })
}
