// The project operations: each declared once, served as server actions and as /api/v1 routes. Any member may use them.
import * as projects from '../services/projects'
import { operation } from './operation'

export const listProjects = operation({
  name: 'projects.list',
  summary: 'List the workspace’s projects, newest first',
  tag: 'Projects',
  input: projects.ListProjectsInput,
  output: projects.ProjectPage,
  scope: 'projects:read',
  role: 'member',
  http: { method: 'GET', path: '/api/v1/projects', status: 200, paginated: true },
  run: projects.list,
})

export const getProject = operation({
  name: 'projects.get',
  summary: 'Get one project',
  tag: 'Projects',
  input: projects.GetProjectInput,
  output: projects.Project,
  scope: 'projects:read',
  role: 'member',
  http: { method: 'GET', path: '/api/v1/projects/{id}', status: 200, etagVersion: (p) => p.version },
  run: projects.get,
})

export const createProject = operation({
  name: 'projects.create',
  summary: 'Create a project',
  tag: 'Projects',
  input: projects.CreateProjectInput,
  output: projects.Project,
  scope: 'projects:write',
  role: 'member',
  http: {
    method: 'POST',
    path: '/api/v1/projects',
    status: 201,
    location: (p) => `/api/v1/projects/${p.id}`,
    etagVersion: (p) => p.version,
  },
  run: projects.create,
})

export const updateProject = operation({
  name: 'projects.update',
  summary: 'Change a project’s name or description',
  tag: 'Projects',
  input: projects.UpdateProjectInput,
  output: projects.Project,
  scope: 'projects:write',
  role: 'member',
  http: { method: 'PATCH', path: '/api/v1/projects/{id}', status: 200, etagVersion: (p) => p.version, ifMatch: true },
  run: projects.update,
})

export const deleteProject = operation({
  name: 'projects.delete',
  summary: 'Delete a project',
  tag: 'Projects',
  input: projects.DeleteProjectInput,
  // The service returns what it deleted (the app says so); over HTTP the answer is 204 with no body.
  output: projects.Project,
  scope: 'projects:write',
  role: 'member',
  http: { method: 'DELETE', path: '/api/v1/projects/{id}', status: 204, ifMatch: true },
  run: projects.remove,
})
