// The database schema: Better Auth's four tables (keys named as Better Auth expects) and Twofold's own.
import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()

export const user = pgTable('user', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const session = pgTable(
  'session',
  {
    id: text('id').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    token: text('token').notNull().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
  },
  (t) => [index('session_user_id_idx').on(t.userId)],
)

export const account = pgTable(
  'account',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('account_user_id_idx').on(t.userId)],
)

export const verification = pgTable(
  'verification',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('verification_identifier_idx').on(t.identifier)],
)

// The tenant: projects, API tokens (and later files, activity and the plan) belong to a workspace, and people reach
// them through a membership. The slug is the workspace's part of every URL (/w/{slug}/…).
export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const ROLES = ['owner', 'admin', 'member'] as const

export const memberships = pgTable(
  'memberships',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    check('memberships_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
    // "Which workspaces is this person in?": the switcher and every session's workspace lookup.
    index('memberships_user_idx').on(t.userId),
  ],
)

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    // SHA-256 of the link's secret; the secret itself is only ever in the e-mail.
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').references(() => user.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull().defaultNow(),
    // The outbox message that carries the latest link: the list says whether it was sent or is being retried.
    mailId: uuid('mail_id'),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: text('accepted_by').references(() => user.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    check('invitations_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
    // At most one open invitation per address and workspace: inviting again resends it instead.
    uniqueIndex('invitations_open_idx').on(t.workspaceId, t.email).where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index('invitations_workspace_idx').on(t.workspaceId, t.createdAt.desc()),
  ],
)

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    // Who created it; the project stays with the workspace when that person leaves or deletes their account.
    createdBy: text('created_by').references(() => user.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // Bumped on every write: the source of the ETag, so a stale If-Match is detected without comparing timestamps.
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Serves "the workspace's projects, newest first" and keyset pagination over (created_at, id).
  (t) => [index('projects_workspace_created_idx').on(t.workspaceId, t.createdAt.desc(), t.id.desc())],
)

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // The token acts in this workspace, with the role its creator has there now: it stops working when they leave.
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // The first characters of the token, shown in lists so a person can tell tokens apart.
    prefix: text('prefix').notNull(),
    // SHA-256 of the whole token; the token itself is never stored.
    hash: text('hash').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_idx').on(t.hash),
    index('api_tokens_workspace_idx').on(t.workspaceId, t.createdAt.desc()),
    index('api_tokens_user_idx').on(t.userId),
  ],
)

// Counters for rate-limiter-flexible's Drizzle store: shared by every app instance on the same database.
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: timestamp('expire', { withTimezone: true }),
})

// Better Auth's own request throttle for its HTTP endpoints (/api/auth/*), kept in the database so it holds across instances.
export const authRateLimit = pgTable('auth_rate_limit', {
  id: text('id').primaryKey(),
  key: text('key').notNull().unique(),
  count: integer('count').notNull(),
  lastRequest: bigint('last_request', { mode: 'number' }).notNull(),
})

// E-mail waiting to be sent, and what became of it: written in the caller's transaction, so a message exists exactly
// when the change that caused it committed, and delivered off the request path by src/server/mail/outbox.ts.
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    // When a worker may next try: for a pending row being sent, the end of that worker's lease.
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    check('outbox_status_check', sql`${t.status} in ('pending', 'sent', 'failed')`),
    // Serves the workers' one question, "which pending messages are due?", and stays as small as the backlog.
    index('outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // The dev mailbox: newest first.
    index('outbox_created_idx').on(t.createdAt.desc()),
  ],
)

// A workspace's standing with Stripe: its customer (made once, on the first upgrade) and the subscription as Stripe's
// API last reported it (never as an event's payload said it: services/billing.ts). No row: never a customer, Free.
export const workspaceBilling = pgTable('workspace_billing', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  stripeCustomerId: text('stripe_customer_id').unique(),
  stripeSubscriptionId: text('stripe_subscription_id'),
  /** Stripe's subscription status (active, trialing, past_due, unpaid, canceled, incomplete, …); null: none yet. */
  status: text('status'),
  priceId: text('price_id'),
  currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
  cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
  updatedAt: updatedAt(),
})

// Every Stripe event received: the id is the idempotency record (a redelivery finds it and is not applied again) and
// the row is the queue from which the billing worker applies it, off the request path, with retries.
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set in the transaction that applied the event's effect: exactly when the effect exists. */
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    // When a worker may next try: for an event being applied, the end of that worker's lease.
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The workers' one question, "which events are due?", over only the events not applied yet.
    index('stripe_events_due_idx').on(t.nextAttemptAt).where(sql`${t.appliedAt} is null`),
  ],
)

export const schema = {
  user,
  session,
  account,
  verification,
  authRateLimit,
  workspaces,
  memberships,
  invitations,
  projects,
  apiTokens,
  rateLimits,
  outbox,
  workspaceBilling,
  stripeEvents,
}

// A workspace's history: one row per change, written by the service in the transaction that made the change, so the
// feed shows exactly what committed. The id is the Server-Sent Events id (services/activity.ts explains why ids are
// committed in order within a workspace).
export const activity = pgTable(
  'activity',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    // Who did it; kept as history when they leave or delete their account.
    actorId: text('actor_id').references(() => user.id, { onDelete: 'set null' }),
    /** What happened, as `subject.verb`: project.created, file.uploaded, member.removed, plan.changed, … */
    kind: text('kind').notNull(),
    /** The id of the thing it happened to (a project, a file, a user), for clients that refresh just that. */
    subjectId: text('subject_id'),
    /** A few fields worth showing without another read (a project's name); never secrets. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('activity_workspace_id_idx').on(t.workspaceId, t.id.desc())],
)

// A file uploaded to a project. The bytes live in storage (local disk or S3) under storage_key; this row exists only
// once they are all written and checked.
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    uploadedBy: text('uploaded_by').references(() => user.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull().unique(),
    createdAt: createdAt(),
  },
  (t) => [index('files_project_created_idx').on(t.projectId, t.createdAt.desc(), t.id.desc())],
)

// Stored objects that have, or may soon have, no `files` row: their bytes are removed once `purge_after` passes
// (src/server/files/purge.ts). An upload enters its key with a day's grace before it writes a byte and takes it out
// in the transaction that writes the row, so bytes a crash left behind are found and removed. Deleting a files row —
// directly, or by the cascade from its project or workspace — enters its key due at once, through the trigger
// `files_purge_bytes` (hand-written in migration 0004: Drizzle does not declare triggers), which also NOTIFYs
// `file_purge`; the bytes go after the deleting transaction commits, and never for one that rolls back.
export const filePurges = pgTable(
  'file_purges',
  {
    storageKey: text('storage_key').primaryKey(),
    purgeAfter: timestamp('purge_after', { withTimezone: true }).notNull(),
  },
  (t) => [index('file_purges_due_idx').on(t.purgeAfter)],
)
