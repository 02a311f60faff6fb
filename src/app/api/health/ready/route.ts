// Readiness: the database answers and has every migration this build ships. A load balancer sends traffic only
// when this says 200; otherwise 503 problem+json with Retry-After, like any request during an outage.
import { migrationsCurrent } from '@/server/db/client'
import { toAppError, Unavailable } from '@/server/errors'
import { problemResponse } from '@/server/http/problem'
import { requestIdFrom } from '@/server/http/request-id'
import { log } from '@/server/log'
import { getRuntime } from '@/server/runtime'

export const dynamic = 'force-dynamic'

const NO_STORE = () => new Headers({ 'Cache-Control': 'no-store' })

export async function GET(request: Request) {
  const requestId = requestIdFrom(request.headers)
  try {
    const { database } = await getRuntime()
    if (!(await migrationsCurrent(database.db))) {
      log.warn('not ready: the database lacks migrations this build ships', { requestId })
      return problemResponse(new Unavailable(), requestId, NO_STORE())
    }
    return Response.json({ status: 'ready' }, { headers: NO_STORE() })
  } catch (thrown) {
    const error = toAppError(thrown)
    // An outage is expected and logged where it is noticed; anything else is a bug, but still means "not ready".
    if (error.code !== 'UNAVAILABLE') log.error('readiness check failed', { requestId, error: thrown })
    return problemResponse(error instanceof Unavailable ? error : new Unavailable(5, { cause: thrown }), requestId, NO_STORE())
  }
}
