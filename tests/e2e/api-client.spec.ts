// A real external client: openapi-fetch typed by tests/generated/openapi.d.ts (generated from our own
// OpenAPI document) against `next start`. tsc checks the calls against the types; running them checks the
// server keeps the published contract.
import { expect, test } from '@playwright/test'
import createClient from 'openapi-fetch'
import type { paths } from '../generated/openapi'
import { createToken, signUp } from './support'

test('the typed client drives the whole project lifecycle', async ({ page, baseURL }) => {
  const { workspace } = await signUp(page)
  const token = await createToken(page, workspace, 'Typed client', ['projects:read', 'projects:write'])
  const api = createClient<paths>({ baseUrl: baseURL, headers: { Authorization: `Bearer ${token}` } })

  const me = await api.GET('/api/v1/me')
  expect(me.response.status).toBe(200)
  expect(me.data?.token?.scopes).toEqual(['projects:read', 'projects:write'])

  const created = await api.POST('/api/v1/projects', { body: { name: 'Typed', description: 'via openapi-fetch' } })
  expect(created.response.status).toBe(201)
  const project = created.data
  if (!project) throw new Error('no project in the 201 body')
  expect(project).toMatchObject({ name: 'Typed', description: 'via openapi-fetch', version: 1 })

  const fetched = await api.GET('/api/v1/projects/{id}', { params: { path: { id: project.id } } })
  const etag = fetched.response.headers.get('etag')
  expect(etag).toBe('"v1"')
  const unchanged = await api.GET('/api/v1/projects/{id}', {
    params: { path: { id: project.id }, header: { 'If-None-Match': etag ?? '' } },
  })
  expect(unchanged.response.status).toBe(304)

  const patched = await api.PATCH('/api/v1/projects/{id}', {
    params: { path: { id: project.id }, header: { 'If-Match': etag ?? '' } },
    body: { name: 'Typed, renamed' },
  })
  expect(patched.response.status).toBe(200)
  expect(patched.data).toMatchObject({ name: 'Typed, renamed', version: 2 })

  const stale = await api.PATCH('/api/v1/projects/{id}', {
    params: { path: { id: project.id }, header: { 'If-Match': etag ?? '' } },
    body: { name: 'Lost update' },
  })
  expect(stale.response.status).toBe(412)
  expect(stale.error).toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 })

  const invalid = await api.POST('/api/v1/projects', { body: { name: '' } })
  expect(invalid.response.status).toBe(422)
  expect(invalid.error?.errors).toEqual({ name: ['Name is required.'] })

  const page1 = await api.GET('/api/v1/projects', { params: { query: { limit: 1 } } })
  expect(page1.data?.items).toHaveLength(1)
  expect(page1.data?.next).toBeNull()

  const removed = await api.DELETE('/api/v1/projects/{id}', { params: { path: { id: project.id } } })
  expect(removed.response.status).toBe(204)
  const gone = await api.GET('/api/v1/projects/{id}', { params: { path: { id: project.id } } })
  expect(gone.response.status).toBe(404)
})

test('the served OpenAPI document describes the paths the client was generated from', async ({ request }) => {
  const response = await request.get('/api/v1/openapi.json')
  expect(response.status()).toBe(200)
  const document = await response.json()
  expect(document.openapi).toBe('3.1.0')
  const generatedPaths: (keyof paths)[] = [
    '/api/v1/projects',
    '/api/v1/projects/{id}',
    '/api/v1/me',
    '/api/v1/workspace',
    '/api/v1/workspace/members',
    '/api/v1/projects/{id}/files',
    '/api/v1/projects/{id}/files/{fileId}',
    '/api/v1/activity',
    '/api/v1/events',
  ]
  expect(Object.keys(document.paths).sort()).toEqual([...generatedPaths].sort())
})
