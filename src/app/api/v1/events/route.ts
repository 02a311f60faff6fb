import { activityEvents } from '@/server/operations/activity'
import { apiRoutes } from '@/server/runtime/api'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(activityEvents)

// A stream is never cached or prerendered; see docs/architecture.md, "Live events".
export const dynamic = 'force-dynamic'
