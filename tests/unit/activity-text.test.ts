// The activity feed's sentences: what happened, in words a member reads, never "Ada made Ada an admin" or a lower-case
// plan id.
import { describe, expect, test } from 'vitest'
import { describeActivity } from '../../src/components/activity-text'
import type { ActivityItem } from '../../src/server/services/activity-feed'

const ada = { id: 'u-ada', name: 'Ada King' }
const item = (
  kind: string,
  data: ActivityItem['data'],
  actor: ActivityItem['actor'] = null,
  subjectId: string | null = null,
): ActivityItem => ({
  id: 1,
  kind,
  subjectId,
  actor,
  data,
  createdAt: '2026-12-05T10:00:00.000Z',
})

describe('describeActivity', () => {
  test.each([
    [{ plan: 'pro', status: 'active' }, 'The workspace upgraded to Pro'],
    [{ plan: 'pro', status: 'trialing' }, 'The workspace started a Pro trial'],
    [{ plan: 'pro', status: 'past_due' }, 'A payment failed: Stripe is retrying, and the workspace keeps Pro meanwhile'],
    [{ plan: 'free', status: 'unpaid' }, 'A payment failed and was not recovered: the workspace is on Free'],
    [{ plan: 'free', status: 'canceled' }, 'The Pro subscription was canceled: the workspace is on Free'],
    [{ plan: 'free', status: 'paused' }, 'The workspace is now on Free'],
  ])('plan.changed %o reads “%s”', (data, sentence) => {
    expect(describeActivity(item('plan.changed', data))).toBe(sentence)
  })

  test('a failed payment that went through after all does not read as an upgrade', () => {
    expect(describeActivity(item('payment.recovered', { plan: 'pro', status: 'active' }))).toBe(
      'The failed payment went through: the workspace is on Pro',
    )
  })

  test('a role change by someone else names both; one’s own reads as such, never "Ada King made Ada King"', () => {
    expect(describeActivity(item('member.role_changed', { name: 'Grace Hopper', role: 'admin' }, ada, 'u-grace'))).toBe(
      'Ada King made Grace Hopper an admin',
    )
    expect(describeActivity(item('member.role_changed', { name: 'Ada King', role: 'admin' }, ada, 'u-ada'))).toBe(
      'Ada King changed their own role to admin',
    )
  })

  test('an ownership transfer says who handed it to whom', () => {
    expect(describeActivity(item('ownership.transferred', { name: 'Grace Hopper' }, ada, 'u-grace'))).toBe(
      'Ada King transferred ownership to Grace Hopper',
    )
  })
})
