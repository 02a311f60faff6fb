// The fuzzer's directed part: requests built to produce each status the public API has, three times or more, and to
// reach every operation with a success, whatever the seed. A random generator spreads over the statuses only on
// average (seed 1159979905 once drew 2 × 413 against 3 required), so the spread is made here by construction and the
// random part adds its volume on top. Its own module because it is a table, read row by row as a specification.
import { JSON_BODY_LIMIT_BYTES } from '../../src/server/http/body'
import * as projects from '../../src/server/services/projects'
import { contextFor, sessionActor } from './db'
import { MULTIPART_TYPE, multipart } from './fuzz-multipart'
import type { Spec } from './fuzz-send'
import { fileTag, projectVersion, uploadVia, type World } from './fuzz-world'

/** Over the Free plan's upload limit (10 MB) by one byte of file; the form's framing adds the rest. */
export const OVER_FREE_UPLOAD = 10 * 1024 * 1024 + 1

export type DirectedCase = { status: number; what: string; spec(world: World): Promise<Spec> | Spec }

type Who = 'owner' | 'reader' | 'stranger' | 'free'
const auth = (world: World, who: Who | undefined): Record<string, string> => (who ? { authorization: world[who].authorization } : {})
const get = (world: World, url: string, who?: Who, headers: Record<string, string> = {}): Spec => ({
  method: 'GET',
  url,
  headers: { ...auth(world, who), ...headers },
})
const json = (world: World, method: string, url: string, body: string, who?: Who, headers: Record<string, string> = {}): Spec => ({
  method,
  url,
  body,
  headers: { 'content-type': 'application/json', ...auth(world, who), ...headers },
})
const upload = (world: World, projectId: string, body: Spec['body'], who: Who = 'owner', type = MULTIPART_TYPE): Spec => ({
  method: 'POST',
  url: `/api/v1/projects/${projectId}/files`,
  body,
  headers: { 'content-type': type, ...auth(world, who) },
})

const project = (world: World) => world.live[0] ?? ''
const file = (world: World) => {
  const live = world.liveFiles[0]
  if (!live) throw new Error('no live file')
  return live
}
const fileUrl = (f: { projectId: string; fileId: string }) => `/api/v1/projects/${f.projectId}/files/${f.fileId}`
const RANDOM_UUID = '2f9d8c34-5a51-4d0e-9b8e-3c1f1f6c0a77'

/** Deletes need objects of their own: made here, so the pools the rest of the table uses stay whole. */
async function freshProject(world: World): Promise<string> {
  world.dirty = true
  return (await projects.create(contextFor(world.database, sessionActor(world.owner.userId)), { name: 'To delete' })).id
}
async function freshFile(world: World) {
  world.dirty = true
  return uploadVia(world.api, world.owner, project(world), 'to-delete')
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i))

export const directedCases: DirectedCase[] = [
  // Every operation answers a well-formed request with its success status.
  { status: 200, what: 'projects.list', spec: (w) => get(w, '/api/v1/projects', 'owner') },
  { status: 200, what: 'projects.get', spec: (w) => get(w, `/api/v1/projects/${project(w)}`, 'owner') },
  {
    status: 200,
    what: 'projects.update with the current If-Match',
    spec: async (w) =>
      json(w, 'PATCH', `/api/v1/projects/${project(w)}`, '{"name":"Renamed"}', 'owner', {
        'if-match': `"v${await projectVersion(w, project(w))}"`,
      }),
  },
  { status: 200, what: 'me.get', spec: (w) => get(w, '/api/v1/me', 'owner') },
  { status: 200, what: 'workspace.get', spec: (w) => get(w, '/api/v1/workspace', 'owner') },
  { status: 200, what: 'workspace.members', spec: (w) => get(w, '/api/v1/workspace/members', 'owner') },
  { status: 200, what: 'files.list', spec: (w) => get(w, `/api/v1/projects/${project(w)}/files`, 'owner') },
  { status: 200, what: 'files.download', spec: (w) => get(w, fileUrl(file(w)), 'owner') },
  { status: 200, what: 'activity.list', spec: (w) => get(w, '/api/v1/activity', 'owner') },
  { status: 200, what: 'events, no Last-Event-ID', spec: (w) => get(w, '/api/v1/events', 'owner') },
  { status: 200, what: 'events, a valid Last-Event-ID', spec: (w) => get(w, '/api/v1/events', 'owner', { 'last-event-id': '1' }) },
  {
    status: 200,
    what: 'events, a garbage Last-Event-ID (counts as none)',
    spec: (w) => get(w, '/api/v1/events', 'owner', { 'last-event-id': 'garbage' }),
  },
  { status: 200, what: 'events, HEAD', spec: (w) => ({ ...get(w, '/api/v1/events', 'owner'), method: 'HEAD' }) },
  ...times(3, (i) => ({
    status: 201,
    what: 'projects.create',
    spec: (w: World) => json(w, 'POST', '/api/v1/projects', `{"name":"Directed ${i}"}`, 'owner'),
  })),
  ...times(3, (i) => ({
    status: 201,
    what: 'files.upload, well-formed',
    spec: (w: World) => upload(w, project(w), multipart.wellFormed(`text ${i}`)),
  })),
  ...times(3, () => ({
    status: 204,
    what: 'projects.delete',
    spec: async (w: World): Promise<Spec> => ({
      method: 'DELETE',
      url: `/api/v1/projects/${await freshProject(w)}`,
      headers: auth(w, 'owner'),
    }),
  })),
  ...times(3, () => ({
    status: 204,
    what: 'files.delete',
    spec: async (w: World): Promise<Spec> => ({ method: 'DELETE', url: fileUrl(await freshFile(w)), headers: auth(w, 'owner') }),
  })),
  ...times(3, (i) => ({
    status: 206,
    what: 'files.download, a range',
    spec: (w: World) => get(w, fileUrl(file(w)), 'owner', { range: `bytes=0-${i}` }),
  })),
  ...times(2, () => ({
    status: 304,
    what: 'projects.get, the current If-None-Match',
    spec: async (w: World) =>
      get(w, `/api/v1/projects/${project(w)}`, 'owner', { 'if-none-match': `"v${await projectVersion(w, project(w))}"` }),
  })),
  ...times(2, () => ({
    status: 304,
    what: 'files.download, the current If-None-Match',
    spec: async (w: World) => get(w, fileUrl(file(w)), 'owner', { 'if-none-match': (await fileTag(w, file(w).fileId)) ?? '' }),
  })),

  // 400: a body that cannot be read.
  { status: 400, what: 'projects.create, JSON cut off', spec: (w) => json(w, 'POST', '/api/v1/projects', '{"name": "x"', 'owner') },
  { status: 400, what: 'upload, truncated (no closing boundary)', spec: (w) => upload(w, project(w), multipart.truncated()) },
  { status: 400, what: 'upload, cut mid-part', spec: (w) => upload(w, project(w), multipart.cutMidPart(7)) },
  { status: 400, what: 'upload, cut after the delimiter', spec: (w) => upload(w, project(w), multipart.cutAfterDelimiter()) },
  { status: 400, what: 'upload, the wrong boundary', spec: (w) => upload(w, project(w), multipart.wrongBoundary()) },
  // 401: no caller, or not a token we issued.
  { status: 401, what: 'projects.list, no token', spec: (w) => get(w, '/api/v1/projects') },
  {
    status: 401,
    what: 'projects.list, a wrong token',
    spec: (w) => get(w, '/api/v1/projects', undefined, { authorization: `Bearer ${w.owner.token}x` }),
  },
  { status: 401, what: 'events, no token', spec: (w) => get(w, '/api/v1/events') },
  {
    status: 401,
    what: 'upload, no token',
    spec: (w) => ({ ...upload(w, project(w), multipart.wellFormed()), headers: { 'content-type': MULTIPART_TYPE } }),
  },
  // 403: out of the token's scope, or over the plan.
  { status: 403, what: 'projects.create, a read-only token', spec: (w) => json(w, 'POST', '/api/v1/projects', '{"name":"No"}', 'reader') },
  { status: 403, what: 'upload, a read-only token', spec: (w) => upload(w, project(w), multipart.wellFormed(), 'reader') },
  { status: 403, what: 'files.download, a read-only token', spec: (w) => get(w, fileUrl(file(w)), 'reader') },
  { status: 403, what: 'projects.create, Free plan full', spec: (w) => json(w, 'POST', '/api/v1/projects', '{"name":"Fourth"}', 'free') },
  // 404: an id that is nobody's, or someone else's.
  { status: 404, what: 'projects.get, an unknown id', spec: (w) => get(w, `/api/v1/projects/${RANDOM_UUID}`, 'owner') },
  { status: 404, what: "projects.get, the stranger's project", spec: (w) => get(w, `/api/v1/projects/${w.strangersProject}`, 'owner') },
  { status: 404, what: "files.download, the stranger's file", spec: (w) => get(w, fileUrl(w.strangersFile), 'owner') },
  {
    status: 404,
    what: "files.delete, a live file under another project's id",
    spec: (w) => ({ method: 'DELETE', url: `/api/v1/projects/${w.live[1]}/files/${file(w).fileId}`, headers: auth(w, 'owner') }),
  },
  { status: 404, what: 'upload to an unknown project', spec: (w) => upload(w, RANDOM_UUID, multipart.wellFormed()) },
  // 405: a method the path does not serve.
  { status: 405, what: 'PUT /projects', spec: (w) => json(w, 'PUT', '/api/v1/projects', '{}', 'owner') },
  { status: 405, what: 'DELETE /me', spec: (w) => ({ method: 'DELETE', url: '/api/v1/me', headers: auth(w, 'owner') }) },
  { status: 405, what: 'POST /activity', spec: (w) => json(w, 'POST', '/api/v1/activity', '{}', 'owner') },
  { status: 405, what: 'POST /events', spec: (w) => json(w, 'POST', '/api/v1/events', '{}', 'owner') },
  // 412: a stale If-Match.
  ...times(2, () => ({
    status: 412,
    what: 'projects.update, a stale If-Match',
    spec: async (w: World) =>
      json(w, 'PATCH', `/api/v1/projects/${project(w)}`, '{"name":"Stale"}', 'owner', {
        'if-match': `"v${((await projectVersion(w, project(w))) ?? 0) + 1}"`,
      }),
  })),
  {
    status: 412,
    what: 'projects.delete, a stale If-Match',
    spec: async (w) => ({
      method: 'DELETE',
      url: `/api/v1/projects/${project(w)}`,
      headers: { ...auth(w, 'owner'), 'if-match': `"v${((await projectVersion(w, project(w))) ?? 0) + 1}"` },
    }),
  },
  // 413: over the JSON body limit, and a file over the Free plan's upload limit.
  {
    status: 413,
    what: 'projects.create, over the body limit',
    spec: (w) =>
      json(w, 'POST', '/api/v1/projects', JSON.stringify({ name: 'x', description: 'd'.repeat(JSON_BODY_LIMIT_BYTES) }), 'owner'),
  },
  ...times(3, () => ({
    status: 413,
    what: 'upload over the Free limit',
    spec: (w: World) => upload(w, w.freeProjects[0] ?? '', multipart.ofSize(OVER_FREE_UPLOAD), 'free'),
  })),
  // 415: a body of another type.
  {
    status: 415,
    what: 'projects.create, text/plain',
    spec: (w) => ({
      ...json(w, 'POST', '/api/v1/projects', '{"name":"x"}', 'owner'),
      headers: { ...auth(w, 'owner'), 'content-type': 'text/plain' },
    }),
  },
  {
    status: 415,
    what: 'upload, the wrong content type',
    spec: (w) => upload(w, project(w), multipart.wellFormed(), 'owner', 'application/json'),
  },
  {
    status: 415,
    what: 'upload, no content type',
    spec: (w) => ({ method: 'POST', url: `/api/v1/projects/${project(w)}/files`, body: 'x', headers: auth(w, 'owner') }),
  },
  // 416: a range past the end of the file.
  ...times(3, (i) => ({
    status: 416,
    what: 'files.download, a range past the end',
    spec: (w: World) => get(w, fileUrl(file(w)), 'owner', { range: `bytes=${999_999 + i}-` }),
  })),
  // 422: input the schema refuses.
  { status: 422, what: 'projects.create, an empty name', spec: (w) => json(w, 'POST', '/api/v1/projects', '{"name":""}', 'owner') },
  { status: 422, what: 'projects.list, limit -1', spec: (w) => get(w, '/api/v1/projects?limit=-1', 'owner') },
  { status: 422, what: 'upload, no file field', spec: (w) => upload(w, project(w), multipart.noFileField()) },
  { status: 422, what: 'events, ?after= not an id', spec: (w) => get(w, '/api/v1/events?after=abc', 'owner') },
  // 429: a budget of two requests a minute, spent (per token, and per address for anonymous callers).
  ...times(5, (i) => ({
    status: i < 2 ? 200 : 429,
    what: `me.get #${i + 1} on a budget of 2`,
    spec: (w: World) => ({ ...get(w, '/api/v1/me', 'owner'), tight: true }),
  })),
  ...times(3, (i) => ({
    status: i < 2 ? 401 : 429,
    what: `anonymous #${i + 1} on a budget of 2`,
    spec: (w: World) => ({ ...get(w, '/api/v1/me'), tight: true }),
  })),
]
