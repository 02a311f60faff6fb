// Where uploaded files' bytes live, behind one small interface: a local directory by default, S3-compatible object
// storage for deployments with several instances. Keys are ours (ids, never a user's file name), so no backend has
// to defend against path tricks in them; they are still checked.
import type { Readable } from 'node:stream'
import type { FilesConfig } from '../config'

/** An inclusive byte range, as HTTP's Range header and S3's GetObject speak it. */
export type ByteRange = { start: number; end: number }

export type FileStorage = {
  readonly kind: 'local' | 's3'
  /**
   * Stores the stream under `key`, reading it as it arrives; resolves once every byte is durably stored. If the
   * stream fails (the upload is refused or cut off), rejects with that error and leaves nothing under `key`.
   */
  put(key: string, body: Readable): Promise<void>
  /** The bytes under `key` (or a range of them); null when nothing is stored there. */
  get(key: string, range?: ByteRange): Promise<Readable | null>
  /** Removes the object; removing what is not there is not an error. */
  delete(key: string): Promise<void>
  /** The stored size, or null when nothing is stored under `key`. */
  stat(key: string): Promise<{ size: number } | null>
}

// workspace/project/file ids, lower-case hex and dashes: the only keys the app makes.
const KEY = /^[0-9a-f-]{36}(\/[0-9a-f-]{36}){2}$/

export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`)
  return key
}

export function storageKey(ids: { workspaceId: string; projectId: string; fileId: string }): string {
  return checkKey(`${ids.workspaceId}/${ids.projectId}/${ids.fileId}`)
}

/** The storage the configuration names. The S3 client is imported only when it is chosen. */
export async function createStorage(config: FilesConfig): Promise<FileStorage> {
  if (config.kind === 'local') {
    const { localStorage } = await import('./local-storage')
    return localStorage(config.dir)
  }
  const { s3Storage } = await import('./s3-storage')
  return s3Storage(config)
}
