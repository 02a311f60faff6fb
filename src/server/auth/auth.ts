// Better Auth, configured for Twofold: e-mail and password accounts, database sessions, throttled endpoints.
import { betterAuth } from 'better-auth'
import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { nextCookies } from 'better-auth/next-js'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { account, authRateLimit, session, user, verification } from '../db/schema'
import { clientIp } from '../http/client-ip'
import { authLogger, log } from '../log'
import type { PasswordHasher } from '../services/context'
import { sendVerification } from '../services/email-verification'
import { PASSWORD_MAX, PASSWORD_MIN } from '../services/passwords'
import { createPersonal } from '../services/workspaces'
import { oauthOptions } from './providers'

export { PASSWORD_MAX, PASSWORD_MIN }

/**
 * Better Auth reads the client address (for its own rate limits and the session's record) from this header only,
 * which we set to our resolution of it: Better Auth's default, the left-most X-Forwarded-For, is the client's claim.
 */
export const CLIENT_IP_HEADER = 'x-twofold-client-ip'

/** A copy of request headers with our resolved client address in CLIENT_IP_HEADER, overwriting any sent value. */
export function withClientIp(headers: Headers): Headers {
  const copy = new Headers(headers)
  copy.set(CLIENT_IP_HEADER, clientIp(headers))
  return copy
}

/** `mailQueued` is told when a hook queued e-mail (the address verification after sign-up), to send it at once. */
export function createAuth(
  db: Db,
  cfg: Pick<Config, 'appUrl' | 'authSecret' | 'env'> & Partial<Pick<Config, 'oauth'>>,
  mailQueued: () => void = () => {},
) {
  const oauth = oauthOptions(cfg.oauth ?? { github: null, google: null, oidc: null })
  return betterAuth({
    appName: 'Twofold',
    baseURL: cfg.appUrl,
    secret: cfg.authSecret,
    database: drizzleAdapter(db, { provider: 'pg', schema: { user, session, account, verification, authRateLimit } }),
    emailAndPassword: { enabled: true, minPasswordLength: PASSWORD_MIN, maxPasswordLength: PASSWORD_MAX, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    socialProviders: oauth.socialProviders,
    account: oauth.account,
    // An OAuth callback that fails before its state is read lands here, with ?error=<code> (src/server/auth/oauth.ts).
    onAPIError: { errorURL: `${cfg.appUrl}/sign-in` },
    rateLimit: {
      enabled: cfg.env !== 'test',
      storage: 'database',
      modelName: 'authRateLimit',
      window: 60,
      max: 100,
      customRules: { '/sign-in/email': { window: 60, max: 10 }, '/sign-up/email': { window: 3600, max: 20 } },
    },
    advanced: {
      useSecureCookies: cfg.appUrl.startsWith('https://'),
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    // Every account starts with a personal workspace, however it was created (sign-up now, OAuth later). Should this
    // fail after the user row is written, the person is sent to create a workspace instead (/dashboard).
    // An address nobody has confirmed yet gets the e-mail that confirms it (services/email-verification.ts; our own
    // single-use links, not Better Auth's emailVerification, whose links are stateless and cannot be used up).
    databaseHooks: {
      user: {
        create: {
          after: async (created) => {
            await createPersonal(db, created)
            if (created.emailVerified) return
            // The account exists by now: a failure here must not fail the sign-up. Settings offers to send it again.
            try {
              await sendVerification(db, created, new Date(), cfg.appUrl)
              mailQueued()
            } catch (error) {
              log.error('verification e-mail not queued', { userId: created.id, error })
            }
          },
        },
      },
    },
    telemetry: { enabled: false },
    // Our own log lines record what matters; Better Auth's warnings (each wrong password) would drown the test output.
    logger: authLogger({ disabled: cfg.env === 'test' }),
    // nextCookies lets server actions set the session cookie; it must stay the last plugin.
    plugins: [...oauth.plugins, nextCookies()],
  })
}

export type Auth = ReturnType<typeof createAuth>

/** Better Auth's password hasher, as configured, for the services that check or set passwords themselves. */
export async function passwordHasher(auth: Auth): Promise<PasswordHasher> {
  return (await auth.$context).password
}
