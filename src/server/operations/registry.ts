// Every operation the public API serves: the OpenAPI document and the authorization matrix are built from this list.
import { getMe } from './accounts'
import type { Operation } from './operation'
import { createProject, deleteProject, getProject, listProjects, updateProject } from './projects'

export const publicOperations: readonly Operation[] = [listProjects, createProject, getProject, updateProject, deleteProject, getMe]
