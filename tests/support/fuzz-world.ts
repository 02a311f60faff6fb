// The fuzzer's world: the people who call, the real objects their requests name (projects and files, kept in supply
// as requests delete them), and how a generated pick becomes an id. Its own module because every part of the fuzzer
// (directed cases, random requests, the checks) reads it, and set-up is the part that must stay the same whatever
// the generators do.
import { eq } from 'drizzle-orm'
import type { Database } from '../../src/server/db/client'
import { files as fileRows, projects as projectRows } from '../../src/server/db/schema'
import { fileEtag } from '../../src/server/http/download'
import { FileInfo } from '../../src/server/services/files'
import * as projects from '../../src/server/services/projects'
import { type ApiHarness, bearerTokenFor, createApi, temporaryStorage, userWithToken } from './api'
import { contextFor, createTestDatabase, personalWorkspace, sessionActor } from './db'
import { uploadInit } from './files'
import { countWrites } from './fuzz-snapshot'
import { makePro } from './plans'

/** Owned projects and files kept alive, so requests at a live object stay common after the first DELETE. */
const LIVE_PROJECTS = 5
const LIVE_FILES = 3

type Caller = Awaited<ReturnType<typeof userWithToken>>
type LiveFile = { projectId: string; fileId: string }

export type World = {
  database: Database
  /** The local storage directory the route modules write uploads to. */
  storageDir: string
  api: ApiHarness
  /** The same routes with a budget of two requests a minute, for 429. */
  tightApi: ApiHarness
  owner: Caller
  /** A token of the owner's workspace with projects:read only: every write and every file is out of its scope. */
  reader: Caller & { projectsOnly: true }
  /** Another workspace: its ids are foreign to everyone else. */
  stranger: Caller
  /** A Free workspace holding the plan's three projects: for plan limits (403, and 413 on uploads over 10 MB). */
  free: Caller
  freeProjects: string[]
  /** Live projects: the DELETEs of the run take them, replenishing brings them back. */
  live: string[]
  /**
   * The owner's project that holds the live files. It is never among `live`, so deleting a live project (the run's
   * commonest accepted write) does not take the files along and force re-uploads after every such DELETE.
   */
  filesProject: string
  liveFiles: LiveFile[]
  strangersProject: string
  strangersFile: LiveFile
  /** Set whenever the world itself writes (replenishing): the next check must take a fresh snapshot. */
  dirty: boolean
}

export async function uploadVia(api: ApiHarness, caller: Caller, projectId: string, text: string): Promise<LiveFile> {
  const response = await api.fetch(`/api/v1/projects/${projectId}/files`, uploadInit(text, `${text}.txt`, caller.authorization))
  if (response.status !== 201) throw new Error(`set-up upload answered ${response.status}: ${await response.text()}`)
  const file = FileInfo.parse(await response.json())
  return { projectId: file.projectId, fileId: file.id }
}

export async function createWorld(): Promise<World> {
  const database = await createTestDatabase()
  const storage = temporaryStorage()
  // Budgets no run reaches: 429 is produced on purpose by `tightApi`, not by the run's length.
  const api = createApi(database, { storage, apiPoints: 1e9, anonymousPoints: 1e9 })
  const tightApi = createApi(database, { storage, apiPoints: 2, anonymousPoints: 2 })
  const owner = await userWithToken(database)
  const reader = { ...(await bearerTokenFor(database, owner.userId, ['projects:read'])), userId: owner.userId, projectsOnly: true as const }
  const stranger = await userWithToken(database)
  const free = await userWithToken(database)
  // Hostile input, not plans, is the subject: Pro keeps Free's three-project limit from ending the run early.
  for (const who of [owner, stranger]) await makePro(database, personalWorkspace(who.userId))
  const create = (who: Caller, name: string) => createProject({ database }, who, name)
  const freeProjects = [await create(free, 'Free 1'), await create(free, 'Free 2'), await create(free, 'Free 3')]
  const strangersProject = await create(stranger, 'Not yours')
  const world: World = {
    database,
    storageDir: storage.dir,
    api,
    tightApi,
    owner,
    reader,
    stranger,
    free,
    freeProjects,
    live: [],
    filesProject: await create(owner, 'Files'),
    liveFiles: [],
    strangersProject,
    strangersFile: await uploadVia(api, stranger, strangersProject, 'strangers'),
    dirty: true,
  }
  await countWrites(database)
  await replenish(world)
  return world
}

let made = 0

async function createProject(world: Pick<World, 'database'>, who: Caller, name: string): Promise<string> {
  return (await projects.create(contextFor(world.database, sessionActor(who.userId)), { name })).id
}

/** Tops the live projects and files up to their supply (and the stranger's project and file, if deleted). */
export async function replenish(world: World): Promise<void> {
  const { database, owner } = world
  while (world.live.length < LIVE_PROJECTS) {
    world.live.push((await projects.create(contextFor(database, sessionActor(owner.userId)), { name: `Live ${made++}` })).id)
    world.dirty = true
  }
  while (world.liveFiles.length < LIVE_FILES) {
    world.liveFiles.push(await uploadVia(world.api, owner, world.filesProject, `live-${made++}`))
    world.dirty = true
  }
}

/** After a 204 to a DELETE: the object leaves its pool (a project takes its files with it). */
export async function forget(world: World, deleted: { projectId: string; fileId?: string }): Promise<void> {
  const { projectId, fileId } = deleted
  if (fileId === undefined) {
    world.live = world.live.filter((id) => id !== projectId)
    world.liveFiles = world.liveFiles.filter((file) => file.projectId !== projectId)
    world.freeProjects = world.freeProjects.filter((id) => id !== projectId)
    if (projectId === world.filesProject) world.filesProject = await createProject(world, world.owner, 'Files')
    if (projectId === world.strangersProject) {
      world.strangersProject = (
        await projects.create(contextFor(world.database, sessionActor(world.stranger.userId)), { name: 'Not yours' })
      ).id
      world.strangersFile = await uploadVia(world.api, world.stranger, world.strangersProject, 'strangers')
    }
  } else {
    world.liveFiles = world.liveFiles.filter((file) => file.fileId !== fileId)
    if (fileId === world.strangersFile.fileId)
      world.strangersFile = await uploadVia(world.api, world.stranger, world.strangersProject, 'strangers')
  }
  world.dirty = true
}

/** Which project a request names, resolved when it is sent (the pools change during the run). */
export type ProjectPick =
  | { kind: 'live'; n: number }
  | { kind: 'strangers' }
  | { kind: 'free'; n: number }
  | { kind: 'literal'; value: string }
/** Which file: one of the project's own, a live file of another project, the stranger's, or any string. */
export type FilePick =
  | { kind: 'own'; n: number }
  | { kind: 'other'; n: number }
  | { kind: 'strangers' }
  | { kind: 'literal'; value: string }

/** The path's parameters for these picks: a file of its own project makes the project that file's. */
export function resolveIds(world: World, project: ProjectPick, file: FilePick, hasFileId: boolean): { id: string; fileId: string } {
  const at = <T>(list: readonly T[], n: number) => list[n % Math.max(1, list.length)]
  let id =
    project.kind === 'live'
      ? (at(world.live, project.n) ?? '')
      : project.kind === 'strangers'
        ? world.strangersProject
        : project.kind === 'free'
          ? (at(world.freeProjects, project.n) ?? world.strangersProject)
          : project.value
  let fileId: string
  if (file.kind === 'own') {
    const live = at(world.liveFiles, file.n)
    if (hasFileId) id = live?.projectId ?? id
    fileId = live?.fileId ?? ''
  } else if (file.kind === 'other') fileId = at(world.liveFiles, file.n)?.fileId ?? ''
  else if (file.kind === 'strangers') fileId = world.strangersFile.fileId
  else fileId = file.value
  return { id, fileId }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The project's version now (for If-Match / If-None-Match), if the id names a project. */
export async function projectVersion(world: World, id: string): Promise<number | undefined> {
  if (!UUID.test(id)) return undefined
  const [row] = await world.database.db.select({ version: projectRows.version }).from(projectRows).where(eq(projectRows.id, id))
  return row?.version
}

/** The file's ETag now, if the id names a file. */
export async function fileTag(world: World, fileId: string): Promise<string | undefined> {
  if (!UUID.test(fileId)) return undefined
  const [row] = await world.database.db.select({ sha256: fileRows.sha256 }).from(fileRows).where(eq(fileRows.id, fileId))
  return row ? fileEtag(row.sha256) : undefined
}
