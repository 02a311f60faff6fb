import { getMe } from '@/server/operations/accounts'
import { apiRoutes } from '@/server/operations/route-deps'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(getMe)
