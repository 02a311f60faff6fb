import { apiRoutes } from '@/server/operations/route-deps'
import { listMembers } from '@/server/operations/workspaces'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(listMembers)
