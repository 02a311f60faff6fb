import { apiRoutes } from '@/server/operations/next'
import { createProject, listProjects } from '@/server/operations/projects'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoutes(listProjects, createProject)
