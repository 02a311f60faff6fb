import { createProject, listProjects } from '@/server/operations/projects'
import { apiRoutes } from '@/server/operations/route-deps'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(listProjects, createProject)
