/** The cookie that puts the "confirm your address" notice away for a while (the notice and its action share it). */
export const VERIFY_NOTICE_COOKIE = 'twofold-verify-notice'
