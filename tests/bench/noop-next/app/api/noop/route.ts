// The floor for a Next route handler: no database, no auth, no headers of our own. Dynamic, so it runs per request.
export const dynamic = 'force-dynamic'

export function GET() {
  return Response.json({ ok: true })
}
