// The workspace's activity: a page of it (newest first), and a live stream of it as Server-Sent Events. Any member.
import { z } from 'zod'
import { openActivityStream } from '../live/activity-stream'
import type { EventFeed } from '../live/event-feed'
import * as feed from '../services/activity-feed'
import { operation } from './operation'

export const listActivity = operation({
  name: 'activity.list',
  summary: 'List the workspace’s activity, newest first',
  tag: 'Activity',
  input: feed.ListActivityInput,
  output: feed.ActivityPage,
  scope: 'projects:read',
  role: 'member',
  http: { method: 'GET', path: '/api/v1/activity', status: 200, paginated: true },
  run: feed.list,
})

export const activityEvents = operation({
  name: 'activity.events',
  summary: 'Stream the workspace’s activity as Server-Sent Events',
  description:
    'Each event is `event: activity`, `id:` the activity id and `data:` an Activity as JSON, in commit order. Reconnect with `Last-Event-ID` to receive what you missed (up to 1,000 events; further behind, an `event: reset` says to reload, then the stream goes on from now). A comment every 15 s keeps the connection open. The stream ends when the token is revoked or its member leaves the workspace.',
  tag: 'Activity',
  input: z.object({
    after: z
      .string()
      .max(15)
      .regex(/^[0-9]{1,15}$/, 'Send an activity id.')
      .optional()
      .describe('start after this activity id (Last-Event-ID, when sent, wins): what a page rendered up to'),
    // From the Last-Event-ID header (http.headers below), never from the query.
    lastEventId: z.string().optional(),
  }),
  // The answer is the feed the transport streams; each event's data is an ActivityItem (http.eventData).
  output: z.custom<EventFeed>((value) => typeof value === 'object' && value !== null && 'start' in value),
  scope: 'projects:read',
  role: 'member',
  http: {
    method: 'GET',
    path: '/api/v1/events',
    status: 200,
    answer: 'events',
    eventData: feed.ActivityItem,
    sessions: true,
    headers: { lastEventId: 'last-event-id' },
  },
  run: (ctx, input) => openActivityStream(ctx, { lastEventId: input.lastEventId ?? input.after ?? null }),
})
