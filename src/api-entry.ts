// The API-only server's bundle entry (built into .api/entry.mjs by scripts/build-api.mjs, run by api-server.js):
// the same start-up as the app's (configuration check, shutdown hooks, the database opened in the background) and
// the public API's fetch handler.
import { createApiHandler } from './server/api/handler'
import { startServer } from './server/startup'

export function startApi() {
  startServer()
  return createApiHandler()
}
