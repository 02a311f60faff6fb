// One sentence per activity, for the activity page (server) and the live feed (client): plain functions, no React.
import type { ActivityItem } from '@/server/services/activity-feed'

const ROLE_NAMES = { owner: 'an owner', admin: 'an admin', member: 'a member' } as const

/** “Ada created project “Roadmap””: who did what to which, from the display fields the event carries. */
export function describeActivity(item: ActivityItem): string {
  const who = item.actor?.name || 'Someone'
  const { name = '', role, slug, plan } = item.data
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
      return `${who} made ${name || 'a member'} ${role ? ROLE_NAMES[role] : 'something else'}`
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
      return `The plan changed${plan ? ` to ${plan}` : ''}`
    default:
      return `${who}: ${item.kind}${quoted ? ` ${quoted}` : ''}`
  }
}
