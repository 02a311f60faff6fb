// Liveness: the process is up and answering. It touches no database, so an outage never gets a healthy
// instance restarted; whether it can serve is /api/health/ready's question.
export const dynamic = 'force-dynamic'

export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } })
}
