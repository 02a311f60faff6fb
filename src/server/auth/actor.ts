// The one way any transport learns who is calling: a session cookie (the app) or a bearer token (the API).
import type { Db } from '../db/client'
import { type Actor, anonymous } from '../services/context'
import type { TokenCache } from '../services/token-cache'
import type { TokenUsage } from '../services/token-usage'
import * as tokens from '../services/tokens'

export type ActorSources = {
  db: Db
  now: Date
  /** Which credentials this transport accepts. The public API takes bearer tokens only: no cookies, so no CSRF. */
  accept: 'session' | 'bearer'
  /** Remembers what tokens stand for between announced changes (services/token-cache.ts). */
  tokenCache?: TokenCache
  /** Writes tokens' last-used times in batches (services/token-usage.ts). */
  tokenUsage?: TokenUsage
  /** Reads the signed session cookie (Better Auth); needed when `accept` is 'session'. */
  sessionUserId?: (headers: Headers) => Promise<string | { userId: string; sessionId: string } | null>
}

const BEARER = /^Bearer\s+(\S+)\s*$/i

export async function resolveActor(headers: Headers, sources: ActorSources): Promise<Actor> {
  if (sources.accept === 'bearer') {
    const match = BEARER.exec(headers.get('authorization') ?? '')
    if (!match?.[1]) return anonymous
    return (await tokens.authenticate(sources.db, match[1], sources.now, sources.tokenCache, sources.tokenUsage)) ?? anonymous
  }
  const found = sources.sessionUserId ? await sources.sessionUserId(headers) : null
  if (!found) return anonymous
  return typeof found === 'string' ? { type: 'user', userId: found, via: 'session' } : { type: 'user', via: 'session', ...found }
}
