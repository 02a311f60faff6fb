// Binds the route adapter to the runtime: the database, the rate limiters and the public origin. Nothing here is
// Next.js, so the same handlers serve under `next start` (src/app/api/v1/**/route.ts) and in the API-only server
// (src/server/api/handler.ts).
import { log } from '../log'
import { getApiRuntime } from '../runtime'
import type { Operation } from './operation'
import { mountRoutes, type RouteDeps } from './to-route'

export const routeDeps: RouteDeps = {
  runtime: async () => {
    const { database, limits, config, tokenCache, tokenUsage, storage } = await getApiRuntime()
    return { db: database.db, limits, appUrl: config.appUrl, tokenCache, tokenUsage, storage }
  },
  now: () => new Date(),
  log,
}

export function apiRoutes(...ops: Operation[]) {
  return mountRoutes(ops, routeDeps)
}
