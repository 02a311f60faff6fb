// The one place that reads process.env: validated once, with development defaults so a fresh clone needs none.
import { BlockList, isIP } from 'node:net'
import { z } from 'zod'

const DEV_SECRET = 'twofold-development-secret-not-for-production-use'

function optionalText(description: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .describe(description)
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .describe('postgres://… for PostgreSQL; unset for embedded PGlite in .data/pglite; memory:// for a throwaway in-memory PGlite'),
  DATABASE_POOL_MODE: z
    .enum(['session', 'transaction'])
    .default('session')
    .describe(
      'transaction when DATABASE_URL points at a pooler in transaction mode (PgBouncer before 1.21): the app then sends no named prepared statements',
    ),
  DATABASE_DIRECT_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .describe(
      'postgres://… straight to PostgreSQL (or a session-mode pooler), for LISTEN/NOTIFY and migrations when DATABASE_URL goes through a transaction-mode pooler; unset: DATABASE_URL',
    ),
  WORKERS: z
    .string()
    .trim()
    .default('all')
    .describe('which background workers this instance runs: all (default), none, or a list of mail, billing, purge'),
  PGLITE_DIR: z.string().default('.data/pglite').describe('where the embedded database keeps its files'),
  APP_URL: z.url().default('http://localhost:3000').describe('the public origin of the app, used for auth callbacks and links'),
  BETTER_AUTH_SECRET: z.string().min(32).optional().describe('at least 32 random characters; signs session cookies'),
  SEED_DEMO: z
    .enum(['true', 'false'])
    .optional()
    .describe('seed the demo account on start (default: on in development, off in production)'),
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .describe(
      'smtp://user:pass@host:587 or smtps://user:pass@host:465 for outgoing mail; unset in development: the dev mailbox at /dev/mailbox',
    ),
  MAIL_FROM: z.string().trim().min(1).default('Twofold <no-reply@localhost>').describe('the From of every e-mail the app sends'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  FILES_STORAGE: z.enum(['local', 's3']).default('local').describe('where uploaded files live: local (a directory) or s3'),
  FILES_DIR: z.string().trim().min(1).default('.data/files').describe('the directory for FILES_STORAGE=local'),
  S3_BUCKET: optionalText('the bucket for FILES_STORAGE=s3'),
  S3_REGION: z.string().trim().min(1).default('us-east-1').describe('the bucket’s region'),
  S3_ENDPOINT: z.url().optional().describe('an S3-compatible endpoint (MinIO, R2, a local stand-in); unset for AWS S3 itself'),
  S3_ACCESS_KEY_ID: optionalText('the access key for the bucket; unset: the AWS SDK’s default credential chain'),
  S3_SECRET_ACCESS_KEY: optionalText('the secret key that goes with S3_ACCESS_KEY_ID'),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .optional()
    .describe('address the bucket as {endpoint}/{bucket} (default: true when S3_ENDPOINT is set)'),
  GITHUB_CLIENT_ID: optionalText('the Client ID of a GitHub OAuth app; with GITHUB_CLIENT_SECRET, shows "Continue with GitHub"'),
  GITHUB_CLIENT_SECRET: optionalText('the client secret of that GitHub OAuth app'),
  GOOGLE_CLIENT_ID: optionalText('the Client ID of a Google OAuth client; with GOOGLE_CLIENT_SECRET, shows "Continue with Google"'),
  GOOGLE_CLIENT_SECRET: optionalText('the client secret of that Google OAuth client'),
  OIDC_ISSUER: z
    .url()
    .optional()
    .describe(
      'an OpenID Connect issuer (https://login.example.com/realms/acme); its discovery document is {issuer}/.well-known/openid-configuration',
    ),
  OIDC_CLIENT_ID: optionalText('the client id registered at OIDC_ISSUER'),
  OIDC_CLIENT_SECRET: optionalText('the client secret registered at OIDC_ISSUER'),
  OIDC_NAME: optionalText("the provider's name on the button, e.g. Acme SSO (default: Single sign-on)"),
  STRIPE_SECRET_KEY: optionalText(
    'the secret API key of your Stripe account (sk_live_… or sk_test_…); unset: billing says Stripe is not configured',
  ),
  STRIPE_WEBHOOK_SECRET: optionalText('the signing secret (whsec_…) of the webhook endpoint {APP_URL}/api/webhooks/stripe'),
  STRIPE_PRICE_PRO: optionalText('the id of the recurring Price (price_…) that the Pro plan subscribes to'),
  STRIPE_API_URL: z
    .url()
    .optional()
    .describe(
      'development and tests, with a test key: where the Stripe API is, e.g. the local stand-in http://127.0.0.1:12111; a production server refuses it unless STRIPE_STANDIN_IN_PRODUCTION=true',
    ),
  STRIPE_STANDIN_IN_PRODUCTION: z
    .enum(['true', 'false'])
    .optional()
    .describe('true lets a production server use STRIPE_API_URL (the test suites run the production build against the stand-in)'),
  TRUST_PROXY: z
    .string()
    .trim()
    .default('')
    .describe(
      'which proxies in front of the app may report the client address in X-Forwarded-For: unset for none, a number of hops (1 behind one load balancer), or IPs/CIDRs such as 10.0.0.0/8,127.0.0.1',
    ),
})

/**
 * Whose word on the client address we take. 'none': the connection's peer is the client. 'hops': that many proxies
 * sit in front of the app, each appending to X-Forwarded-For. 'addresses': proxies are recognised by address.
 */
export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'addresses'; ranges: readonly string[]; trusted: BlockList }

export type Config = {
  env: 'development' | 'production' | 'test'
  database: { kind: 'pglite'; dataDir: string | null } | PostgresTarget
  /** The background workers this instance runs (WORKERS): with several instances, often only some run them. */
  workers: ReadonlySet<Worker>
  appUrl: string
  authSecret: string
  seedDemo: boolean
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL']
  trustProxy: TrustProxy
  /** Outgoing mail: through SMTP when `smtpUrl` is set; otherwise into the dev mailbox (development and tests). */
  mail: { smtpUrl: string | null; from: string }
  /** Sign-in providers besides the password; each is null unless configured. */
  oauth: OAuthConfig
  /** Stripe: null unless STRIPE_SECRET_KEY is set. Nothing else in the app needs it to run. */
  stripe: StripeConfig | null
  /** Where uploaded files' bytes live (src/server/files/storage.ts). */
  files: FilesConfig
}

/**
 * PostgreSQL. `url` serves the request pool; `directUrl` (default: `url`) the session-bound work, LISTEN and the
 * migration lock, which a transaction-mode pooler cannot carry. `poolMode` 'transaction' (default 'session') turns
 * named prepared statements off: a transaction-mode pooler hands each transaction to any server connection.
 */
export type PostgresTarget = {
  kind: 'postgres'
  url: string
  directUrl?: string
  poolMode?: 'session' | 'transaction'
}

export const WORKER_NAMES = ['mail', 'billing', 'purge'] as const
export type Worker = (typeof WORKER_NAMES)[number]

export type FilesConfig =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3'
      bucket: string
      region: string
      endpoint: string | null
      forcePathStyle: boolean
      credentials: { accessKeyId: string; secretAccessKey: string } | null
    }

export type StripeConfig = {
  secretKey: string
  /** Verifies webhook signatures; without it the webhook refuses every event (503) and Stripe keeps retrying. */
  webhookSecret: string | null
  pricePro: string | null
  /** Another Stripe API origin (the local stand-in); null for Stripe itself. */
  apiUrl: string | null
}

export type OAuthClient = { clientId: string; clientSecret: string }
export type OAuthConfig = {
  github: OAuthClient | null
  google: OAuthClient | null
  oidc: (OAuthClient & { issuer: string; name: string }) | null
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '')
      const field = EnvSchema.shape[key as keyof typeof EnvSchema.shape]
      return `  ${key}: ${issue.message}${field?.description ? ` (${field.description})` : ''}`
    })
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  if (e.NODE_ENV === 'production' && !e.BETTER_AUTH_SECRET) {
    throw new ConfigError(
      'Invalid environment:\n  BETTER_AUTH_SECRET: required in production (at least 32 random characters; signs session cookies). Try: openssl rand -base64 32',
    )
  }
  const trustProxy = parseTrustProxy(e.TRUST_PROXY)
  if ('invalid' in trustProxy) {
    throw new ConfigError(
      `Invalid environment:\n  TRUST_PROXY: ${JSON.stringify(trustProxy.invalid)} is not an IP address or CIDR range (${EnvSchema.shape.TRUST_PROXY.description})`,
    )
  }
  const url = e.DATABASE_URL
  let database: Config['database']
  if (!url) database = { kind: 'pglite', dataDir: e.PGLITE_DIR }
  else if (url === 'memory://') database = { kind: 'pglite', dataDir: null }
  else if (/^postgres(ql)?:\/\//.test(url))
    database = { kind: 'postgres', url, directUrl: e.DATABASE_DIRECT_URL ?? url, poolMode: e.DATABASE_POOL_MODE }
  else
    throw new ConfigError(
      'Invalid environment:\n  DATABASE_URL: must start with postgres:// (or be memory://, or unset for embedded PGlite)',
    )
  if (e.DATABASE_DIRECT_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_DIRECT_URL)) {
    throw new ConfigError(
      `Invalid environment:\n  DATABASE_DIRECT_URL: must start with postgres:// (${EnvSchema.shape.DATABASE_DIRECT_URL.description})`,
    )
  }
  const workers = parseWorkers(e.WORKERS)
  if ('invalid' in workers) {
    throw new ConfigError(
      `Invalid environment:\n  WORKERS: ${JSON.stringify(workers.invalid)} is not a worker (${EnvSchema.shape.WORKERS.description})`,
    )
  }

  if (e.SMTP_URL && !isSmtpUrl(e.SMTP_URL)) {
    throw new ConfigError(
      `Invalid environment:\n  SMTP_URL: must be an smtp:// or smtps:// URL with a host (${EnvSchema.shape.SMTP_URL.description})`,
    )
  }

  const oauth = parseOAuth(e)
  const stripe = parseStripe(e)
  const files = parseFiles(e)

  return {
    env: e.NODE_ENV,
    database,
    workers: workers.set,
    appUrl: e.APP_URL.replace(/\/$/, ''),
    authSecret: e.BETTER_AUTH_SECRET ?? DEV_SECRET,
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === 'true' : e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
    trustProxy,
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM },
    oauth,
    stripe,
    files,
  }
}

function parseFiles(e: Env): FilesConfig {
  if (e.FILES_STORAGE === 'local') return { kind: 'local', dir: e.FILES_DIR }
  if (!e.S3_BUCKET) {
    throw new ConfigError(`Invalid environment:\n  S3_BUCKET: required when FILES_STORAGE=s3 (${EnvSchema.shape.S3_BUCKET.description})`)
  }
  const credentials = clientOf(e, 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY')
  return {
    kind: 's3',
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    endpoint: e.S3_ENDPOINT ?? null,
    forcePathStyle: e.S3_FORCE_PATH_STYLE ? e.S3_FORCE_PATH_STYLE === 'true' : Boolean(e.S3_ENDPOINT),
    credentials: credentials && { accessKeyId: credentials.clientId, secretAccessKey: credentials.clientSecret },
  }
}

function parseStripe(e: Env): StripeConfig | null {
  // A production server that talks to a stand-in sells Pro for nothing: the variable is there for development and
  // tests, and a deployment that copied it from .env.example must stop at once rather than look alive.
  if (e.STRIPE_API_URL && e.NODE_ENV === 'production' && e.STRIPE_STANDIN_IN_PRODUCTION !== 'true') {
    throw new ConfigError(
      'Invalid environment:\n  STRIPE_API_URL: not in production, where the app talks to Stripe itself (unset it); STRIPE_STANDIN_IN_PRODUCTION=true allows it for a test run against the stand-in',
    )
  }
  if (!e.STRIPE_SECRET_KEY) {
    if (e.STRIPE_WEBHOOK_SECRET || e.STRIPE_PRICE_PRO) {
      throw new ConfigError(
        `Invalid environment:\n  STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET or STRIPE_PRICE_PRO is set (${EnvSchema.shape.STRIPE_SECRET_KEY.description})`,
      )
    }
    return null
  }
  // A live key is sent to Stripe itself, never to whatever origin the variable names.
  if (e.STRIPE_API_URL && e.STRIPE_SECRET_KEY.startsWith('sk_live_')) {
    throw new ConfigError('Invalid environment:\n  STRIPE_API_URL: not with a live key (sk_live_…): the stand-in is for test keys')
  }
  return {
    secretKey: e.STRIPE_SECRET_KEY,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET ?? null,
    pricePro: e.STRIPE_PRICE_PRO ?? null,
    apiUrl: e.STRIPE_API_URL ?? null,
  }
}

type Env = z.infer<typeof EnvSchema>

/** A provider is configured by all of its variables or none: half a configuration is a mistake, said at start. */
function clientOf(e: Env, idKey: keyof Env, secretKey: keyof Env): OAuthClient | null {
  const [clientId, clientSecret] = [e[idKey], e[secretKey]]
  if (clientId === undefined && clientSecret === undefined) return null
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    const missing = clientId === undefined ? idKey : secretKey
    const given = missing === idKey ? secretKey : idKey
    throw new ConfigError(`Invalid environment:\n  ${missing}: required when ${given} is set (${EnvSchema.shape[missing].description})`)
  }
  return { clientId, clientSecret }
}

function parseOAuth(e: Env): OAuthConfig {
  const github = clientOf(e, 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET')
  const google = clientOf(e, 'GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET')
  const oidcClient = clientOf(e, 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET')
  if (!e.OIDC_ISSUER) {
    if (oidcClient) {
      throw new ConfigError(
        `Invalid environment:\n  OIDC_ISSUER: required when OIDC_CLIENT_ID is set (${EnvSchema.shape.OIDC_ISSUER.description})`,
      )
    }
    return { github, google, oidc: null }
  }
  if (!oidcClient) {
    throw new ConfigError(
      `Invalid environment:\n  OIDC_CLIENT_ID: required when OIDC_ISSUER is set (${EnvSchema.shape.OIDC_CLIENT_ID.description})`,
    )
  }
  const issuer = new URL(e.OIDC_ISSUER)
  // Tokens and the identity they carry travel from the issuer: in production only over TLS, except to this machine.
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && (loopback || e.NODE_ENV !== 'production'))) {
    throw new ConfigError('Invalid environment:\n  OIDC_ISSUER: must be an https:// URL (http:// only on localhost, or in development)')
  }
  const name = e.OIDC_NAME ?? 'Single sign-on'
  return { github, google, oidc: { ...oidcClient, issuer: e.OIDC_ISSUER.replace(/\/$/, ''), name } }
}

// The message names the variable, never its value: the URL carries the SMTP password.
function isSmtpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== ''
}

/** WORKERS: `all`, `none` or a comma-separated list; `invalid` names the first entry that is no worker. */
function parseWorkers(value: string): { set: ReadonlySet<Worker> } | { invalid: string } {
  if (value === 'all') return { set: new Set(WORKER_NAMES) }
  if (value === 'none' || value === '') return { set: new Set() }
  const set = new Set<Worker>()
  for (const entry of value.split(',').map((part) => part.trim())) {
    const worker = WORKER_NAMES.find((name) => name === entry)
    if (!worker) return { invalid: entry }
    set.add(worker)
  }
  return { set }
}

/** TRUST_PROXY's three forms; `invalid` names the first entry that is none of them. */
export function parseTrustProxy(value: string): TrustProxy | { invalid: string } {
  if (value === '') return { kind: 'none' }
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return hops === 0 ? { kind: 'none' } : { kind: 'hops', hops }
  }
  const ranges = value.split(',').map((entry) => entry.trim())
  const trusted = new BlockList()
  for (const range of ranges) {
    const [address = '', prefix, ...rest] = range.split('/')
    const family = isIP(address)
    const bits = prefix === undefined ? null : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN
    if (family === 0 || rest.length > 0 || Number.isNaN(bits) || (bits !== null && bits > (family === 4 ? 32 : 128))) {
      return { invalid: range }
    }
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (bits === null) trusted.addAddress(address, type)
    else trusted.addSubnet(address, bits, type)
  }
  return { kind: 'addresses', ranges, trusted }
}

let cached: Config | undefined
export function config(): Config {
  cached ??= parseConfig(process.env)
  return cached
}
