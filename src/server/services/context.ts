// What every service call receives: the database, who is acting, in which workspace, and the clock. Nothing is
// read from globals.
import type Stripe from 'stripe'
import type { Db } from '../db/client'
import type { Notifications } from '../db/notifications'
import { ROLES } from '../db/schema'
import { Forbidden, Unauthenticated } from '../errors'
import type { FileStorage } from '../files/storage'

export const SCOPES = ['projects:read', 'projects:write', 'members:read', 'files:read', 'files:write'] as const
export type Scope = (typeof SCOPES)[number]

export { ROLES }
export type Role = (typeof ROLES)[number]

export type Actor =
  | { type: 'anonymous' }
  /** A signed-in person using the app; a session may do everything its user's role allows. */
  | {
      type: 'user'
      userId: string
      via: 'session' /** The session's id, where the transport knows it (the app's cookie). */
      sessionId?: string
    }
  /**
   * A program holding an API token: limited to the token's scopes, in the token's workspace, with the role its
   * creator holds there. The role was read from the database with the token itself, in this request.
   */
  | {
      type: 'user'
      userId: string
      via: 'token'
      tokenId: string
      scopes: readonly Scope[]
      workspaceId: string
      role: Role
      /**
       * What the token lookup read beside the token (the person's name and address, the token's own name), so `GET
       * /api/v1/me` needs no query of its own. As fresh as the role: every change to them announces itself
       * (token-cache.ts).
       */
      identity?: TokenIdentity
    }

export type TokenIdentity = { email: string; name: string; tokenName: string; expiresAt: Date | null }

/** How passwords are hashed and checked: Better Auth's own (auth/auth.ts#passwordHasher), so both agree. */
export type PasswordHasher = {
  hash(password: string): Promise<string>
  verify(data: { hash: string; password: string }): Promise<boolean>
}

/**
 * What a service may need besides its caller, for one process: every entry point (actions, pages, routes, streams,
 * file routes, the API-only server) gets these from the runtime and hands them to buildContext whole, so no service
 * finds one missing at run time. What is costly to load (Better Auth's hasher, the Stripe SDK) loads on first use.
 */
export type ContextDeps = {
  db: Db
  now: () => Date
  /** The app's public origin (APP_URL), for links written into e-mail and the URLs Stripe sends people back to. */
  appUrl: string
  /** Called after a commit that queued e-mail, so it is delivered at once rather than at the worker's next poll. */
  mailQueued: () => void
  /** For the services that check or set a password (account settings, deletion). */
  passwords: PasswordHasher
  /** The configured Stripe account, loaded on first use; null when Stripe is not configured. */
  stripe: () => Promise<StripeAccess | null>
  /** Where uploaded files' bytes live. */
  storage: FileStorage
  /** The database's notifications: what live streams (SSE) listen on. */
  notifications: Notifications
}

export type ServiceContext = ContextDeps & {
  actor: Actor
  /**
   * The slug of the workspace a session is working in (from the URL, or the form posted from it). Only a claim:
   * membership and role are checked against the database by the service on every call. A token's workspace is
   * the token's own, and this is ignored for it.
   */
  workspace?: string
}

/** The one way a service context is made: the caller, the process's dependencies, and the workspace a session names. */
export function buildContext(actor: Actor, deps: ContextDeps, workspace?: string): ServiceContext {
  return { ...deps, actor, workspace }
}

/** The configured Stripe account: the client (the stand-in in development and tests) and the Pro plan's price. */
export type StripeAccess = { client: Stripe; pricePro: string | null }

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

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 }

/** Whether `role` may do what `needed` may: owner ⊃ admin ⊃ member. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed]
}

/** Only a person at the keyboard may do this (create workspaces, manage tokens, accept invitations). */
export function requireSessionUser(actor: Actor, what: string): string {
  const userId = requireUserId(actor)
  if (actor.type === 'user' && actor.via !== 'session') throw new Forbidden(`${what} only from the app.`)
  return userId
}
