// One sentence per activity, for the activity page (server) and the live feed (client): plain functions, no React.
import type { ActivityItem } from '@/server/services/activity-feed'

const ROLE_NAMES = { owner: 'an owner', admin: 'an admin', member: 'a member' } as const
const PLAN_NAMES: Record<string, string> = { free: 'Free', pro: 'Pro' }

/** What a change of subscription status means to the people in the workspace. */
function describePlanChange(plan: string | undefined, status: string | undefined): string {
  const planName = plan ? (PLAN_NAMES[plan] ?? plan) : undefined
  switch (status) {
    case 'active':
      return `The workspace upgraded to ${planName ?? 'Pro'}`
    case 'trialing':
      return `The workspace started a ${planName ?? 'Pro'} trial`
    case 'past_due':
      return 'A payment failed: Stripe is retrying, and the workspace keeps Pro meanwhile'
    case 'unpaid':
      return 'A payment failed and was not recovered: the workspace is on Free'
    case 'canceled':
      return 'The Pro subscription was canceled: the workspace is on Free'
    default:
      return planName ? `The workspace is now on ${planName}` : 'The plan changed'
  }
}

/** “Ada created project “Roadmap””: who did what to which, from the display fields the event carries. */
export function describeActivity(item: ActivityItem): string {
  const who = item.actor?.name || 'Someone'
  const { name = '', role, slug, plan, status } = item.data
  const quoted = name ? `“${name}”` : ''
  switch (item.kind) {
    case 'project.created':
      return `${who} created project ${quoted}`
    case 'project.updated':
      return `${who} changed project ${quoted}`
    case 'project.deleted':
      return `${who} deleted project ${quoted}`
    case 'member.joined':
      return `${name || who} joined${role ? ` as ${ROLE_NAMES[role]}` : ''}`
    case 'member.role_changed':
      // Their own role (an owner stepping down): "Ada made Ada an admin" read as a mistake.
      if (item.actor && item.actor.id === item.subjectId) return `${who} changed their own role to ${role ? role : 'another role'}`
      return `${who} made ${name || 'a member'} ${role ? ROLE_NAMES[role] : 'something else'}`
    case 'ownership.transferred':
      return `${who} transferred ownership to ${name || 'a member'}`
    case 'member.removed':
      return `${who} removed ${name || 'a member'}`
    case 'member.left':
      return `${name || who} left the workspace`
    case 'workspace.renamed':
      return `${who} renamed the workspace to ${quoted}`
    case 'workspace.moved':
      return `${who} moved the workspace to /w/${slug ?? ''}`
    case 'file.uploaded':
      return `${who} uploaded ${quoted}`
    case 'file.deleted':
      return `${who} deleted file ${quoted}`
    case 'plan.changed':
      return describePlanChange(plan, status)
    case 'payment.recovered':
      return `The failed payment went through: the workspace is on ${plan ? (PLAN_NAMES[plan] ?? plan) : 'Pro'}`
    default:
      return `${who}: ${item.kind}${quoted ? ` ${quoted}` : ''}`
  }
}
