// The signed-in person's sessions (one per device or browser that signed in): listed with the device its user agent
// names, and ended one by one or all but this one. Read from Better Auth's session table directly, so the list needs
// no "fresh" session (Better Auth's listSessions does): it shows only what the person may see anyway and ends only
// their own sessions, while the dangerous actions (deleting the account, changing the address or password) ask for
// the password itself.
import { and, desc, eq, gt, ne } from 'drizzle-orm'
import { z } from 'zod'
import { session } from '../db/schema'
import { NotFound } from '../errors'
import { requireSessionUser, type ServiceContext } from './context'

export const SESSIONS_SHOWN_MAX = 100

export const Session = z.object({
  id: z.string().max(100),
  device: z.string().max(200),
  ipAddress: z.string().max(100).nullable(),
  createdAt: z.iso.datetime(),
  lastActiveAt: z.iso.datetime(),
  current: z.boolean(),
})
export type Session = z.infer<typeof Session>
export const SessionList = z.object({ items: z.array(Session).max(SESSIONS_SHOWN_MAX) })

export const SessionIdInput = z.object({ id: z.string().min(1).max(100) })

const who = (ctx: ServiceContext) => requireSessionUser(ctx.actor, 'Sessions are managed')
const currentSessionId = (ctx: ServiceContext) =>
  ctx.actor.type === 'user' && ctx.actor.via === 'session' ? ctx.actor.sessionId : undefined

/**
 * Describes a browser from its User-Agent: "Firefox 128 on macOS", "Chrome on Android (Pixel 8)", or "Unknown
 * device". ua-parser-js is loaded with the first sessions list, not at start: its tables cost the API-only server,
 * which never lists sessions, about 20 ms of start-up.
 */
export async function loadDeviceDescriber(): Promise<(userAgent: string | null) => string> {
  const { UAParser } = await import('ua-parser-js')
  return (userAgent) => {
    if (!userAgent) return 'Unknown device'
    const ua = new UAParser(userAgent).getResult()
    const browser = [ua.browser.name, ua.browser.version?.split('.')[0]].filter(Boolean).join(' ')
    const os = [ua.os.name, ua.os.version].filter(Boolean).join(' ')
    const model = [ua.device.vendor, ua.device.model].filter(Boolean).join(' ')
    const described = [browser || null, os ? `on ${os}` : null, model ? `(${model})` : null].filter(Boolean).join(' ')
    return (described || 'Unknown device').slice(0, 200)
  }
}

/** The account's unexpired sessions, this one first, then the most recently active. */
export async function list(ctx: ServiceContext): Promise<z.infer<typeof SessionList>> {
  const userId = who(ctx)
  const current = currentSessionId(ctx)
  const rows = await ctx.db
    .select()
    .from(session)
    .where(and(eq(session.userId, userId), gt(session.expiresAt, ctx.now())))
    .orderBy(desc(session.updatedAt))
    .limit(SESSIONS_SHOWN_MAX)
  const describeDevice = await loadDeviceDescriber()
  const items = rows.map((row) => ({
    id: row.id,
    device: describeDevice(row.userAgent),
    ipAddress: row.ipAddress || null,
    createdAt: row.createdAt.toISOString(),
    // Better Auth moves updatedAt on when it extends a session (at most daily: session.updateAge).
    lastActiveAt: row.updatedAt.toISOString(),
    current: row.id === current,
  }))
  return { items: items.sort((a, b) => Number(b.current) - Number(a.current)) }
}

/** Signs one of the account's sessions out (another device, or this one). Someone else's session is NOT_FOUND. */
export async function revoke(ctx: ServiceContext, input: z.input<typeof SessionIdInput>): Promise<{ id: string }> {
  const userId = who(ctx)
  const { id } = SessionIdInput.parse(input)
  const [ended] = await ctx.db
    .delete(session)
    .where(and(eq(session.id, id), eq(session.userId, userId)))
    .returning({ id: session.id })
  if (!ended) throw new NotFound('Session')
  return ended
}

/** Signs every other session of the account out; this one stays. */
export async function revokeOthers(ctx: ServiceContext): Promise<{ signedOut: number }> {
  const userId = who(ctx)
  const current = currentSessionId(ctx)
  const others = current ? and(eq(session.userId, userId), ne(session.id, current)) : eq(session.userId, userId)
  const ended = await ctx.db.delete(session).where(others).returning({ id: session.id })
  return { signedOut: ended.length }
}
