// The health checks, as plain Request → Response handlers served by both entries (src/app/api/health/** and the
// API-only server).
import { migrationsCurrent } from '../db/client'
import { toAppError, Unavailable } from '../errors'
import { problemResponse } from '../http/problem'
import { requestIdFrom } from '../http/request-id'
import { log } from '../log'
import { getApiRuntime, isDraining } from './index'

const NO_STORE = () => new Headers({ 'Cache-Control': 'no-store' })

/** Liveness: the process is up and answering. It touches no database, so an outage never gets a healthy instance
 * restarted; whether it can serve is readiness's question. */
export function liveness(): Response {
  return Response.json({ status: 'ok' }, { headers: NO_STORE() })
}

/** Readiness: the database answers and has every migration this build ships, and the process is not stopping. A
 * load balancer sends traffic only when this says 200; otherwise 503 problem+json with Retry-After, like any request
 * during an outage. */
export async function readiness(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request.headers)
  // Stopping (SIGTERM): the balancer must take this instance out while it still answers what is in flight.
  if (isDraining()) return problemResponse(new Unavailable(), requestId, NO_STORE())
  try {
    const { database } = await getApiRuntime()
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
