// What every service call receives: the database, who is acting, and the clock. Nothing is read from globals.
import type { Db } from '../db/client'
import { Forbidden, Unauthenticated } from '../errors'

export const SCOPES = ['projects:read', 'projects:write'] as const
export type Scope = (typeof SCOPES)[number]

export type Actor =
  | { type: 'anonymous' }
  /** A signed-in person using the app; a session may do everything its user may. */
  | { type: 'user'; userId: string; via: 'session' }
  /** A program holding an API token: limited to the token's scopes. */
  | { type: 'user'; userId: string; via: 'token'; tokenId: string; scopes: readonly Scope[] }

export type ServiceContext = {
  db: Db
  actor: Actor
  now: () => Date
}

export const anonymous: Actor = { type: 'anonymous' }

/** The acting user's id, or UNAUTHENTICATED. */
export function requireUserId(actor: Actor): string {
  if (actor.type !== 'user') throw new Unauthenticated()
  return actor.userId
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  if (actor.type !== 'user') return false
  return actor.via === 'session' || actor.scopes.includes(scope)
}

export function requireScope(actor: Actor, scope: Scope): void {
  requireUserId(actor)
  if (!hasScope(actor, scope)) throw new Forbidden(`This token lacks the ${scope} scope.`)
}
