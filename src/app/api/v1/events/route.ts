import { activityEvents } from '@/server/operations/activity'
import { streamRoutes } from '@/server/operations/stream-deps'

export const { GET, OPTIONS } = streamRoutes(activityEvents, { sessions: true })

// A stream is never cached or prerendered; see docs/architecture.md, "Live events".
export const dynamic = 'force-dynamic'
