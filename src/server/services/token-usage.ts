// When each API token was last used, written in batches: the column is informational (the tokens page shows it), so
// a request need not wait for it, and a thousand requests a second write one statement a second instead of one
// each. A batch lost with the process (a crash between flushes) loses only that second's "last used" times.
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'

const FLUSH_EVERY_MS = 1_000
/** Pending times beyond this many are dropped until the next flush, so a database outage cannot grow the map. */
const MAX_PENDING = 10_000

export class TokenUsage {
  private pending = new Map<string, Date>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Db,
    private readonly everyMs = FLUSH_EVERY_MS,
  ) {}

  /** Notes that the token was used at `at`; written with the next flush. */
  record(tokenId: string, at: Date): void {
    if (this.pending.size >= MAX_PENDING && !this.pending.has(tokenId)) return
    this.pending.set(tokenId, at)
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.everyMs)
      // Pending times alone must not keep the process alive: shutdown flushes them (runtime.ts).
      this.timer.unref()
    }
  }

  /** How many tokens' times wait for the next flush. */
  pendingCount(): number {
    return this.pending.size
  }

  /** Writes every pending time in one statement, never moving a time backwards. On failure they are kept for the next. */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.flushing = this.flushing.then(() => this.write())
    return this.flushing
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return
    const batch = this.pending
    this.pending = new Map()
    const rows = sql.join(
      [...batch].map(([id, at]) => sql`(${id}::uuid, ${at.toISOString()}::timestamptz)`),
      sql`, `,
    )
    try {
      await this.db.execute(sql`
        update api_tokens set last_used_at = used.at
        from (values ${rows}) as used (id, at)
        where api_tokens.id = used.id and (api_tokens.last_used_at is null or api_tokens.last_used_at < used.at)`)
    } catch {
      // The database is down: keep the times (a newer one recorded meanwhile wins) and try again later.
      for (const [id, at] of batch) if (!this.pending.has(id)) this.record(id, at)
    }
  }
}
