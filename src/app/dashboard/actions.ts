'use server'
// The dashboard's mutations: each one line, an operation adapted to a server action.
import { nextAction } from '@/server/operations/next'
import { createProject, deleteProject, updateProject } from '@/server/operations/projects'

export const createProjectAction = nextAction(createProject, { revalidate: () => ['/dashboard'] })

export const updateProjectAction = nextAction(updateProject, {
  revalidate: (project) => ['/dashboard', `/dashboard/projects/${project.id}`],
})

export const deleteProjectAction = nextAction(deleteProject, {
  revalidate: () => ['/dashboard'],
  redirectTo: (deleted) => `/dashboard?deleted=${encodeURIComponent(deleted.name)}`,
})
