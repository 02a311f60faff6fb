// What a presented API token stands for, remembered in the process so a request need not look it up: the lookup
// (with its membership join) was one of the API's three database round trips. Safe only while the process hears of
// every change that could end a token's access: the services announce each one (revocation, a member removed or
// demoted, a workspace left or deleted) with NOTIFY in the changing transaction, every instance's listener clears its
// cache on it, and while the listener is not connected the cache is off (lookups go to the database), since changes
// made meanwhile are never announced again. An entry also lives at most TTL_MS, in case a notification is lost.
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { Actor } from './context'

/** The channel the services NOTIFY on when token access may have changed. */
export const AUTH_CHANGED = 'twofold_auth_changed'

/** Tells every instance, at commit, that what a token may do may have changed. Call inside the changing transaction. */
export async function announceAuthChange(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_notify(${AUTH_CHANGED}, '')`)
}

export type CachedToken = {
  actor: Extract<Actor, { via: 'token' }>
  expiresAt: Date | null
  lastUsedAt: Date | null
}

const TTL_MS = 60_000
const MAX_ENTRIES = 10_000

export class TokenCache {
  private entries = new Map<string, { token: CachedToken; storedAt: number }>()
  private live = false
  /** Bumped by every clear: a lookup that began before a change must not store what it read. */
  private generation = 0

  constructor(private readonly ttlMs = TTL_MS) {}

  /** The listener's state: while it is not connected nothing is served from or stored in the cache. */
  setLive(live: boolean): void {
    this.live = live
    this.clear()
  }

  clear(): void {
    this.generation += 1
    this.entries.clear()
  }

  /** A ticket for store(): take it before reading the database. */
  ticket(): number {
    return this.generation
  }

  get(hash: string, now: number): CachedToken | undefined {
    if (!this.live) return undefined
    const entry = this.entries.get(hash)
    if (!entry) return undefined
    if (now - entry.storedAt > this.ttlMs) {
      this.entries.delete(hash)
      return undefined
    }
    return entry.token
  }

  store(hash: string, token: CachedToken, ticket: number, now: number): void {
    if (!this.live || ticket !== this.generation) return
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value ?? '')
    this.entries.set(hash, { token, storedAt: now })
  }
}
