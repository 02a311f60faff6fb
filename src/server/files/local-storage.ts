// File storage in a local directory: one file per key, written through a temporary name and renamed into place
// when complete, so a reader (or a crash) never finds half a file under a real key.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type ByteRange, checkKey, type FileStorage } from './storage'

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'
}

export function localStorage(dir: string): FileStorage {
  const root = path.resolve(dir)
  const pathOf = (key: string) => path.join(root, ...checkKey(key).split('/'))
  return {
    kind: 'local',
    async put(key, body: Readable) {
      const target = pathOf(key)
      const partial = `${target}.partial`
      await mkdir(path.dirname(target), { recursive: true })
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }))
        await rename(partial, target)
      } catch (error) {
        await rm(partial, { force: true })
        throw error
      }
    },
    async get(key, range?: ByteRange) {
      const file = pathOf(key)
      if (!(await stat(file).catch(() => null))) return null
      return createReadStream(file, range ? { start: range.start, end: range.end } : {})
    },
    async delete(key) {
      const file = pathOf(key)
      await rm(file, { force: true })
      await rm(`${file}.partial`, { force: true })
      // Leave no empty project directories behind; a directory still in use refuses, which is fine.
      await rmEmpty(path.dirname(file), root)
    },
    async stat(key) {
      try {
        const found = await stat(pathOf(key))
        return { size: found.size }
      } catch (error) {
        if (isMissing(error)) return null
        throw error
      }
    },
  }
}

async function rmEmpty(dir: string, root: string): Promise<void> {
  for (let at = dir; at.startsWith(root) && at !== root; at = path.dirname(at)) {
    try {
      await rmdir(at)
    } catch {
      return
    }
  }
}
