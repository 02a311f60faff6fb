// Better Auth, configured for Twofold: e-mail and password accounts, database sessions, throttled endpoints.
import { betterAuth } from 'better-auth'
import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { nextCookies } from 'better-auth/next-js'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { account, authRateLimit, session, user, verification } from '../db/schema'

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

export function createAuth(db: Db, cfg: Pick<Config, 'appUrl' | 'authSecret' | 'env'>) {
  return betterAuth({
    appName: 'Twofold',
    baseURL: cfg.appUrl,
    secret: cfg.authSecret,
    database: drizzleAdapter(db, { provider: 'pg', schema: { user, session, account, verification, authRateLimit } }),
    emailAndPassword: { enabled: true, minPasswordLength: PASSWORD_MIN, maxPasswordLength: PASSWORD_MAX, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: cfg.env !== 'test',
      storage: 'database',
      modelName: 'authRateLimit',
      window: 60,
      max: 100,
      customRules: { '/sign-in/email': { window: 60, max: 10 }, '/sign-up/email': { window: 3600, max: 20 } },
    },
    advanced: { useSecureCookies: cfg.appUrl.startsWith('https://') },
    telemetry: { enabled: false },
    // Our own log lines record what matters; Better Auth's warnings (each wrong password) would drown the test output.
    logger: { disabled: cfg.env === 'test' },
    // nextCookies lets server actions set the session cookie; it must stay the last plugin.
    plugins: [nextCookies()],
  })
}

export type Auth = ReturnType<typeof createAuth>
