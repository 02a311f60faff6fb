import { getMe } from '@/server/operations/accounts'
import { apiRoutes } from '@/server/runtime/api'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(getMe)

// Every answer depends on the request: dynamic, so Next hands the handler the request itself, not a proxy that
// watches each read to decide whether the route could be static (see docs/architecture.md, "The API's hot path").
export const dynamic = 'force-dynamic'
