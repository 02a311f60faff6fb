import { deleteFile, downloadFile } from '@/server/operations/files'
import { apiRoutes } from '@/server/runtime/api'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(downloadFile, deleteFile)

// Every answer depends on the request (see docs/architecture.md, "The API's hot path").
export const dynamic = 'force-dynamic'
