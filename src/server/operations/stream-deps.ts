// Binds the stream adapter to the runtime, like route-deps.ts for the JSON routes. The app's route also accepts the
// session cookie (Better Auth is loaded only when a request brings one); the API-only server takes tokens only.
import { log } from '../log'
import { getApiRuntime, getRuntime, sessionUserId } from '../runtime'
import { mountStream, type StreamOperation, type StreamRouteDeps } from './to-event-stream'

export function streamDeps({ sessions }: { sessions: boolean }): StreamRouteDeps {
  return {
    runtime: async () => {
      const { database, limits, config, tokenCache, tokenUsage } = await getApiRuntime()
      return { db: database.db, notifications: database.notifications, limits, appUrl: config.appUrl, tokenCache, tokenUsage }
    },
    sessionUserId: sessions ? async (headers) => sessionUserId((await getRuntime()).auth, headers) : undefined,
    now: () => new Date(),
    log,
  }
}

export function streamRoutes(op: StreamOperation, options: { sessions: boolean }) {
  return mountStream(op, streamDeps(options))
}
