// Lets a page rendered while the database is out of reach answer 503 with Retry-After. Next gives a page no say over
// its status, so the production entry (server.js) keeps a store per request and rewrites the status line from it.
import { AsyncLocalStorage } from 'node:async_hooks'

/** Set on globalThis by server.js: the app's bundles and server.js are separate module graphs, this is their meeting point. */
const PAGE_STATUS = Symbol.for('twofold.page-status')

/**
 * Marks the request being rendered as unavailable: it is answered 503 with this Retry-After. Without server.js (next
 * dev) there is no store and the page goes out as 200, as before.
 */
export function markPageUnavailable(retryAfterSeconds: number): void {
  const storage: unknown = Reflect.get(globalThis, PAGE_STATUS)
  if (!(storage instanceof AsyncLocalStorage)) return
  const store: unknown = storage.getStore()
  if (typeof store === 'object' && store !== null && 'retryAfterSeconds' in store) store.retryAfterSeconds = retryAfterSeconds
}
