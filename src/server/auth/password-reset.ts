// "Forgot password?" at the edge: throttled per address and per client address, answered the same whether an
// account exists, with the lookup and the e-mail done after the answer has gone (so its timing says nothing either).

import type { Db } from '../db/client'
import { RateLimited } from '../errors'
import { clientIp } from '../http/client-ip'
import type { RateLimiter } from '../http/rate-limit'
import { log } from '../log'
import { parseInput } from '../services/parse'
import { RequestResetInput, requestReset } from '../services/password-reset'

export type PasswordResetLimits = {
  /** Reset e-mails asked for per address: a mailbox cannot be flooded. */
  passwordResets: RateLimiter
  /** Reset requests per client address: one client cannot walk a list of addresses. */
  passwordResetsByIp: RateLimiter
}

export type ResetRequestDeps = {
  db: Db
  limits: PasswordResetLimits
  headers: Headers
  appUrl: string
  now: Date
  /** Runs work after the response is sent (Next's after()). */
  later(work: () => Promise<void>): void
  mailQueued(): void
}

export const RESET_REQUESTED =
  'If an account exists for that address, we have sent it a link to choose a new password. The link works for one hour.'

/**
 * Both throttles are charged for every request, whatever the address, so their answers are the same for an address
 * with an account and one without; what differs (looking the account up, queueing the mail) runs after the response.
 * The client is charged first, and a refused client touches no per-address counter: a throttled client walking a
 * list of addresses adds no row per address to `rate_limits`.
 */
export async function askForPasswordReset(deps: ResetRequestDeps, input: unknown): Promise<{ message: string }> {
  const { email } = parseInput(RequestResetInput, input)
  try {
    await deps.limits.passwordResetsByIp.consume(clientIp(deps.headers))
    await deps.limits.passwordResets.consume(`email:${email}`)
  } catch (error) {
    if (error instanceof RateLimited) {
      const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60))
      throw new RateLimited(error.retryAfterSeconds, `Too many requests. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)
    }
    throw error
  }
  deps.later(async () => {
    try {
      if (await requestReset({ db: deps.db, now: deps.now, appUrl: deps.appUrl }, email)) deps.mailQueued()
    } catch (error) {
      log.error('password reset e-mail not queued', { error })
    }
  })
  return { message: RESET_REQUESTED }
}
