// Invitations: an admin invites an address with a role; the link in the e-mail (single use, 7 days) lets whoever
// holds it join once they are signed in with that address. Listing, resending and revoking are for admins.
import { randomBytes } from 'node:crypto'
import { and, count, desc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { invitations, memberships, outbox, user, workspaces } from '../db/schema'
import { Conflict, Forbidden, isUniqueViolation, NotFound, PlanLimit, RateLimited, ValidationError } from '../errors'
import { invitationMessage } from '../mail/messages'
import { cancelPendingMail, enqueueMail } from '../mail/outbox'
import { needsRole, requireRole } from './access'
import { recordActivity } from './activity'
import { isUuid, TIMESTAMP_MAX_LENGTH, UUID_LENGTH } from './bounds'
import { ROLES, requireSessionUser, requireUserId, roleAtLeast, type ServiceContext } from './context'
import { MEMBERS_MAX } from './members'
import { parseInput } from './parse'
import { requireRoomForMember } from './plan-limits'
import { emailField } from './text'
import { hashSecret } from './tokens'
import { WORKSPACES_PER_PERSON_MAX } from './workspaces'

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000
/** A link can be sent again after this long: long enough that a double click or a loop cannot mail-bomb anyone. */
export const RESEND_INTERVAL_MS = 60 * 1000

const Email = emailField()

export const Invitation = z
  .object({
    id: z.uuid().max(UUID_LENGTH),
    email: z.email().max(254),
    role: z.enum(ROLES),
    invitedBy: z.string().max(100).nullable().describe('the inviter’s name; null once their account is gone'),
    createdAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
    expiresAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
    lastSentAt: z.iso.datetime().max(TIMESTAMP_MAX_LENGTH),
    status: z.enum(['pending', 'expired']),
    /** What became of the latest e-mail: sent, still being tried (with backoff), or given up. */
    mail: z.enum(['sent', 'sending', 'failed', 'unknown']),
  })
  .meta({ id: 'Invitation' })
export type Invitation = z.infer<typeof Invitation>

export const InvitationList = z.object({ items: z.array(Invitation).max(MEMBERS_MAX) })
export const CreateInvitationInput = z.object({
  email: Email,
  role: z.enum(ROLES, { error: 'Choose owner, admin or member.' }).default('member'),
})
export const InvitationIdInput = z.object({ id: z.string().max(UUID_LENGTH) })
export const AcceptInvitationInput = z.object({ token: z.string().min(1).max(200) })

const newToken = () => randomBytes(32).toString('base64url')
const isOpen = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt))

const listColumns = {
  invitation: invitations,
  invitedBy: user.name,
  mailStatus: outbox.status,
}
type ListRow = { invitation: typeof invitations.$inferSelect; invitedBy: string | null; mailStatus: string | null }

function toInvitation(row: ListRow, now: Date): Invitation {
  const i = row.invitation
  const mail =
    row.mailStatus === 'sent' ? 'sent' : row.mailStatus === 'failed' ? 'failed' : row.mailStatus === 'pending' ? 'sending' : 'unknown'
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    invitedBy: row.invitedBy,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    lastSentAt: i.lastSentAt.toISOString(),
    status: i.expiresAt <= now ? 'expired' : 'pending',
    mail,
  }
}

async function findOpen(db: Db, workspaceId: string, id: string, now: Date): Promise<Invitation> {
  if (!isUuid(id)) throw new NotFound('Invitation')
  const [row] = await db
    .select(listColumns)
    .from(invitations)
    .leftJoin(user, eq(user.id, invitations.invitedBy))
    .leftJoin(outbox, eq(outbox.id, invitations.mailId))
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId), isOpen))
  if (!row) throw new NotFound('Invitation')
  return toInvitation(row, now)
}

/** Open invitations (pending or expired; accepted and revoked ones are history), newest first. */
export async function list(ctx: ServiceContext): Promise<z.infer<typeof InvitationList>> {
  const access = await requireRole(ctx, 'admin')
  const now = ctx.now()
  const rows = await ctx.db
    .select(listColumns)
    .from(invitations)
    .leftJoin(user, eq(user.id, invitations.invitedBy))
    .leftJoin(outbox, eq(outbox.id, invitations.mailId))
    .where(and(eq(invitations.workspaceId, access.workspaceId), isOpen))
    .orderBy(desc(invitations.createdAt))
    .limit(MEMBERS_MAX)
  return { items: rows.map((row) => toInvitation(row, now)) }
}

/** Writes a fresh link for the invitation `id` and queues the e-mail carrying it, in `tx`. */
async function sendLink(ctx: ServiceContext, tx: Db, workspaceId: string, id: string, inviterId: string, now: Date): Promise<void> {
  // The previous e-mail's link dies with this one: if it has not left yet, it never will.
  const [previous] = await tx.select({ mailId: invitations.mailId }).from(invitations).where(eq(invitations.id, id))
  if (previous?.mailId) await cancelPendingMail(tx, [previous.mailId], 'a newer invitation e-mail replaced it')
  const token = newToken()
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS)
  const [details] = await tx
    .select({ email: invitations.email, role: invitations.role, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.id, id))
  const [inviter] = await tx.select({ name: user.name }).from(user).where(eq(user.id, inviterId))
  if (!details || !inviter) throw new NotFound('Invitation')
  const acceptUrl = new URL(`/invitations/${token}`, ctx.appUrl).toString()
  const mail = await enqueueMail(
    tx,
    invitationMessage({ ...details, inviterName: inviter.name, to: details.email, acceptUrl, expiresAt }),
    now,
  )
  await tx
    .update(invitations)
    .set({ tokenHash: hashSecret(token), expiresAt, lastSentAt: now, invitedBy: inviterId, mailId: mail.id })
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId)))
}

/**
 * Invites `email` with `role`; only an owner may invite an owner. Inviting an address that already has an open
 * invitation sends that one again (with the new role). The e-mail is queued in the same transaction and sent off
 * the request path, so a slow or broken mail server never holds up or fails the invitation.
 */
export async function create(ctx: ServiceContext, input: z.input<typeof CreateInvitationInput>): Promise<Invitation> {
  const { email, role } = parseInput(CreateInvitationInput, input)
  const now = ctx.now()
  const { id, workspaceId } = await ctx.db
    .transaction(async (tx) => {
      const access = await requireRole(ctx, 'admin', tx)
      if (role === 'owner' && !roleAtLeast(access.role, 'owner')) throw needsRole('owner')
      const [member] = await tx
        .select({ id: user.id })
        .from(memberships)
        .innerJoin(user, eq(user.id, memberships.userId))
        .where(and(eq(memberships.workspaceId, access.workspaceId), eq(user.email, email)))
      if (member) throw new ValidationError({ email: [`${email} is already a member of this workspace.`] })
      const [open] = await tx
        .select({ id: invitations.id, lastSentAt: invitations.lastSentAt, role: invitations.role })
        .from(invitations)
        .where(and(eq(invitations.workspaceId, access.workspaceId), eq(invitations.email, email), isOpen))
      if (open) {
        // Re-inviting rewrites the open invitation: an owner's, only an owner may (as for resend and revoke).
        if (open.role === 'owner' && !roleAtLeast(access.role, 'owner')) throw needsRole('owner')
        throttleResend(open.lastSentAt, now)
        await tx.update(invitations).set({ role }).where(eq(invitations.id, open.id))
        await sendLink(ctx, tx, access.workspaceId, open.id, access.userId, now)
        return { id: open.id, workspaceId: access.workspaceId }
      }
      await requireRoomFor(tx, access.workspaceId)
      await requireRoomForMember(tx, access.workspaceId, 'invite')
      const [row] = await tx
        .insert(invitations)
        // A placeholder hash, replaced by sendLink in this transaction: the real secret exists only in the e-mail.
        .values({
          workspaceId: access.workspaceId,
          email,
          role,
          tokenHash: `pending:${randomBytes(16).toString('hex')}`,
          invitedBy: access.userId,
          createdAt: now,
          expiresAt: now,
          lastSentAt: now,
        })
        .returning({ id: invitations.id })
      if (!row) throw new Error('insert returned no row')
      await sendLink(ctx, tx, access.workspaceId, row.id, access.userId, now)
      return { id: row.id, workspaceId: access.workspaceId }
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error, 'invitations_open_idx')) throw new Conflict(`${email} was invited a moment ago.`)
      throw error
    })
  ctx.mailQueued()
  return findOpen(ctx.db, workspaceId, id, now)
}

function throttleResend(lastSentAt: Date, now: Date) {
  const wait = lastSentAt.getTime() + RESEND_INTERVAL_MS - now.getTime()
  if (wait > 0)
    throw new RateLimited(Math.ceil(wait / 1000), 'The invitation was sent a moment ago. Wait a minute before sending it again.')
}

async function requireRoomFor(tx: Db, workspaceId: string) {
  const [members] = await tx.select({ n: count() }).from(memberships).where(eq(memberships.workspaceId, workspaceId))
  const [open] = await tx
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), isOpen))
  if ((members?.n ?? 0) + (open?.n ?? 0) >= MEMBERS_MAX) {
    throw new PlanLimit(`A workspace can have at most ${MEMBERS_MAX} members and open invitations.`)
  }
}

/** Sends the invitation again with a new link (the old one stops working) and seven more days. */
export async function resend(ctx: ServiceContext, input: z.input<typeof InvitationIdInput>): Promise<Invitation> {
  const { id } = parseInput(InvitationIdInput, input)
  const now = ctx.now()
  const access = await ctx.db.transaction(async (tx) => {
    const access = await requireRole(ctx, 'admin', tx)
    const current = await findOpen(tx, access.workspaceId, id, now)
    if (current.role === 'owner' && !roleAtLeast(access.role, 'owner')) throw needsRole('owner')
    throttleResend(new Date(current.lastSentAt), now)
    await sendLink(ctx, tx, access.workspaceId, id, access.userId, now)
    return access
  })
  ctx.mailQueued()
  return findOpen(ctx.db, access.workspaceId, id, now)
}

/** Revokes the invitation: its link stops working at once. */
export async function revoke(ctx: ServiceContext, input: z.input<typeof InvitationIdInput>): Promise<Invitation> {
  const { id } = parseInput(InvitationIdInput, input)
  const access = await requireRole(ctx, 'admin')
  const now = ctx.now()
  const current = await findOpen(ctx.db, access.workspaceId, id, now)
  if (current.role === 'owner' && !roleAtLeast(access.role, 'owner')) throw needsRole('owner')
  await ctx.db.transaction(async (tx) => {
    const revoked = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.id, id), eq(invitations.workspaceId, access.workspaceId), isOpen))
      .returning({ mailId: invitations.mailId })
    await cancelPendingMail(
      tx,
      revoked.flatMap((r) => (r.mailId ? [r.mailId] : [])),
      'the invitation was revoked',
    )
  })
  return current
}

export type InvitationPreview = {
  workspaceName: string
  email: string
  role: (typeof ROLES)[number]
  invitedBy: string | null
  /** open: can be accepted; the rest say why not. */
  state: 'open' | 'expired' | 'revoked' | 'accepted'
}

/** What the link's page shows before anyone signs in. The link's secret is the credential; null if it names nothing. */
export async function preview(db: Db, token: string, now: Date): Promise<InvitationPreview | null> {
  if (!token || token.length > 200) return null
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name, invitedBy: user.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .leftJoin(user, eq(user.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashSecret(token)))
  if (!row) return null
  const i = row.invitation
  const state = i.acceptedAt ? 'accepted' : i.revokedAt ? 'revoked' : i.expiresAt <= now ? 'expired' : 'open'
  return { workspaceName: row.workspaceName, email: i.email, role: i.role, invitedBy: row.invitedBy, state }
}

export const AcceptedInvitation = z.object({ slug: z.string(), workspaceName: z.string(), role: z.enum(ROLES) })

export const NOT_USABLE: Record<Exclude<InvitationPreview['state'], 'open'>, string> = {
  expired: 'This invitation has expired. Ask the person who invited you to send a new one.',
  revoked: 'This invitation was withdrawn. Ask the person who invited you to send a new one.',
  accepted: 'This invitation has already been used.',
}

/**
 * Joins the workspace with the invitation's role. The signed-in account's address must be the invited one; the
 * link works once (the row is locked and marked accepted in the same transaction as the membership).
 */
export async function accept(
  ctx: ServiceContext,
  input: z.input<typeof AcceptInvitationInput>,
): Promise<z.infer<typeof AcceptedInvitation>> {
  const userId = requireSessionUser(ctx.actor, 'Invitations can be accepted')
  const { token } = parseInput(AcceptInvitationInput, input)
  const now = ctx.now()
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, hashSecret(token)))
      .for('update')
    if (!row) throw new NotFound('Invitation')
    if (row.acceptedAt) throw new Conflict(NOT_USABLE.accepted)
    if (row.revokedAt) throw new Conflict(NOT_USABLE.revoked)
    if (row.expiresAt <= now) throw new Conflict(NOT_USABLE.expired)
    const [person] = await tx
      .select({ email: user.email })
      .from(user)
      .where(eq(user.id, requireUserId(ctx.actor)))
    if (!person) throw new NotFound('User')
    if (person.email.toLowerCase() !== row.email) {
      throw new Forbidden(
        `This invitation is for ${row.email}, and you are signed in as ${person.email}. Sign out, then sign in or create an account as ${row.email} to accept it.`,
      )
    }
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, row.workspaceId))
    if (!workspace) throw new NotFound('Invitation')
    // Already a member (joined another way meanwhile): the invitation is used up, and their role stays as it is.
    const [current] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, row.workspaceId), eq(memberships.userId, userId)))
    if (!current) {
      const [mine] = await tx.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId))
      if ((mine?.n ?? 0) >= WORKSPACES_PER_PERSON_MAX) {
        throw new PlanLimit(`You can belong to at most ${WORKSPACES_PER_PERSON_MAX} workspaces. Leave one, then accept again.`)
      }
      await requireRoomForMember(tx, row.workspaceId, 'accept')
      // The invitation row is locked, so no other accept of it runs; a conflict here is a join by another route.
      await tx.insert(memberships).values({ workspaceId: row.workspaceId, userId, role: row.role, createdAt: now }).onConflictDoNothing()
    }
    const existing = current ?? { role: row.role }
    await tx.update(invitations).set({ acceptedAt: now, acceptedBy: userId }).where(eq(invitations.id, row.id))
    // The link's secret only ever travelled in the e-mail to this address: following it proves the address.
    await tx
      .update(user)
      .set({ emailVerified: true })
      .where(and(eq(user.id, userId), eq(user.emailVerified, false)))
    if (!current) {
      const [joined] = await tx.select({ name: user.name }).from(user).where(eq(user.id, userId))
      const data = { name: joined?.name ?? '', role: row.role }
      await recordActivity(tx, { workspaceId: row.workspaceId, actorId: userId, kind: 'member.joined', subjectId: userId, data })
    }
    return { slug: workspace.slug, workspaceName: workspace.name, role: existing.role }
  })
}
