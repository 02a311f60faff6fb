// The "confirm your address" notice on workspace pages: shown until the address is confirmed, unless put away for a
// while (a cookie set by a form post, so dismissing works without JavaScript).
import { cookies } from 'next/headers'
import Link from 'next/link'
import { dismissVerifyNoticeAction } from '@/app/verify-email/actions'
import { VERIFY_NOTICE_COOKIE } from '@/app/verify-email/notice-cookie'
import type { ServiceContext } from '@/server/services/context'
import { addressConfirmed } from '@/server/services/email-verification'

export async function VerifyNotice({ ctx, back }: { ctx: ServiceContext; back: string }) {
  if ((await cookies()).get(VERIFY_NOTICE_COOKIE)) return null
  if (await addressConfirmed(ctx)) return null
  return (
    <div className="inner">
      <section className="notice info verify-notice" aria-label="Confirm your address">
        <p>
          Please confirm your e-mail address: follow the link in the e-mail we sent you, or{' '}
          <Link href="/settings/account">have it sent again</Link>.
        </p>
        <form action={dismissVerifyNoticeAction}>
          <input type="hidden" name="back" value={back} />
          <button type="submit" className="link-button">
            Dismiss
          </button>
        </form>
      </section>
    </div>
  )
}
