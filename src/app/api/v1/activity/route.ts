import { listActivity } from '@/server/operations/activity'
import { apiRoutes } from '@/server/runtime/api'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(listActivity)

// Every answer depends on the request: dynamic, so Next hands the handler the request itself (see projects/route.ts).
export const dynamic = 'force-dynamic'
