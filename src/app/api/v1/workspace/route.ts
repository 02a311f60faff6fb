import { apiRoutes } from '@/server/operations/route-deps'
import { getWorkspace } from '@/server/operations/workspaces'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(getWorkspace)
