// What server.js checks before Next sees a server-action request, where Next itself would throw and answer 500:
// a request from another origin (Next refuses it, but as a server error) is 403, and a JSON-bodied action call whose
// body is not an argument list (Next crashes applying it) is 422. Either way nothing reaches the action.
import { readFileSync } from 'node:fs'
import path from 'node:path'
// Next's own matcher for `serverActions.allowedOrigins`, so the two can never disagree on a pattern.
import { isCsrfOriginAllowed } from 'next/dist/server/app-render/csrf-protection.js'
import { line, sendProblem } from './http-shell.js'

/** `experimental.serverActions.allowedOrigins` from next.config.ts, as the build recorded it. */
export function allowedActionOrigins(dir = process.cwd()) {
  const manifest = JSON.parse(readFileSync(path.join(dir, '.next', 'required-server-files.json'), 'utf8'))
  return manifest.config?.experimental?.serverActions?.allowedOrigins ?? []
}

/**
 * Whether Next would treat this request as a server action on a page: a POST with a `Next-Action` header (a call from
 * JavaScript), or a multipart form posted to a page (a form without JavaScript). Route handlers (all under /api/)
 * get no such treatment: they check the origin themselves where a cookie is involved.
 */
export function isActionRequest(req) {
  if (req.method !== 'POST' || (req.url ?? '').startsWith('/api/')) return false
  return typeof req.headers['next-action'] === 'string' || isMultipart(req)
}

const isMultipart = (req) => (req.headers['content-type'] ?? '').startsWith('multipart/form-data')

/**
 * Next's rule (app-render/action-handler.js): no Origin passes (a browser always sends one with a POST, and a
 * hand-made request carries no one else's cookies); otherwise the Origin's host must equal the request's host — the
 * first X-Forwarded-Host if there is one, else Host — or match `allowedOrigins`. An opaque origin (`null`: a
 * sandboxed frame, a redirect across sites) never matches.
 */
export function actionOriginAllowed(headers, allowedOrigins) {
  const origin = headers.origin
  if (origin === undefined) return true
  let originHost
  try {
    originHost = origin === 'null' ? 'null' : new URL(origin).host
  } catch {
    return false
  }
  const forwarded = headers['x-forwarded-host']?.split(',')[0]?.trim()
  const host = forwarded || headers.host
  if (host !== undefined && originHost === host) return true
  return isCsrfOriginAllowed(originHost, allowedOrigins)
}

/**
 * Resolves with the first byte of the body that is not white space — null if there is none, or if the client went
 * away first (never a rejection: nothing awaits this but the request) — and puts back everything it read, so Next
 * reads the whole body as sent.
 */
function firstSignificantByte(req) {
  return new Promise((resolve) => {
    const read = []
    const done = (result) => {
      req.off('readable', onReadable)
      req.off('end', nothing)
      req.off('close', nothing)
      req.off('error', nothing)
      if (read.length) req.unshift(Buffer.concat(read))
      resolve(result)
    }
    const onReadable = () => {
      for (let chunk = req.read(); chunk !== null; chunk = req.read()) {
        read.push(chunk)
        const at = chunk.findIndex((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d)
        if (at !== -1) return done(chunk[at])
      }
    }
    const nothing = () => done(null)
    req.on('readable', onReadable)
    req.on('end', nothing)
    req.on('close', nothing)
    req.on('error', nothing)
  })
}

const LEFT_BRACKET = 0x5b

/**
 * Answers a server-action request that must not reach Next and returns true; returns false to let it through.
 * React sends an action's arguments as a list — JSON text starting with `[`, or a multipart body — so a JSON body
 * that is anything else (`"x"`, `1`, `null`, `{}`) was made by hand and is refused before Next applies it.
 */
export async function refuseBadActionRequest(req, res, allowedOrigins) {
  if (!isActionRequest(req)) return false
  if (!actionOriginAllowed(req.headers, allowedOrigins)) {
    // Both values come from the client: cut to a length that cannot flood the log.
    const origin = String(req.headers.origin).slice(0, 200)
    const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? '').slice(0, 200)
    const requestId = sendProblem(res, 403, 'FORBIDDEN', 'Forbidden', 'Server actions are accepted only from pages of this site.')
    line('warn', 'server action from another origin refused', { origin, host, path: (req.url ?? '').split('?')[0], requestId })
    return true
  }
  if (typeof req.headers['next-action'] === 'string' && !isMultipart(req)) {
    if ((await firstSignificantByte(req)) !== LEFT_BRACKET) {
      sendProblem(res, 422, 'VALIDATION', 'Validation failed', "A server action's arguments are a list.")
      return true
    }
  }
  return false
}
