// Binds the API kernel (transports/api-call.ts) to this process's runtime: the service dependencies, the rate
// limiters and the token cache. Nothing here is Next.js, so the same handlers serve under `next start`
// (src/app/api/v1/**/route.ts) and in the API-only server (src/server/api/handler.ts). Operations that accept the
// app's session (the event stream) read it with Better Auth, loaded only when a request brings a cookie; the API-only
// server takes tokens only.

import { NotFound } from '../errors'
import { log } from '../log'
import type { Operation } from '../operations/operation'
import { type ApiDeps, refuse } from '../transports/api-call'
import { appFileRoutes } from '../transports/app-file-routes'
import { mountRoutes } from '../transports/to-route'
import { getApiRuntime, getRuntime, sessionUserId } from './index'

/** For the app's route files: bearer tokens, and sessions where an operation accepts them. */
export const routeDeps: ApiDeps = {
  runtime: getApiRuntime,
  sessionUserId: async (headers) => sessionUserId((await getRuntime()).auth, headers),
  log,
}

/** For the API-only server: bearer tokens only. */
export const apiOnlyDeps: ApiDeps = { runtime: getApiRuntime, log }

export function apiRoutes(...ops: Operation[]) {
  return mountRoutes(ops, routeDeps)
}

/** The project page's upload and download routes (src/app/api/w/…), on the same kernel with the session cookie. */
export const appFiles = appFileRoutes(routeDeps)

/** Every method of a path under /api/v1 that no operation serves: 404 problem+json, counted and logged. */
const notFound = (request: Request) => refuse(request, 'unknown', new NotFound('Resource'), routeDeps)
export const unknownApiPath = { GET: notFound, POST: notFound, PUT: notFound, PATCH: notFound, DELETE: notFound, OPTIONS: notFound }
