import { apiRoutes } from '@/server/operations/next'
import { deleteProject, getProject, updateProject } from '@/server/operations/projects'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(getProject, updateProject, deleteProject)
