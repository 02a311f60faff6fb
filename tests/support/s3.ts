// A local S3 stand-in (s3rver, over real HTTP) for the S3 storage tests: started per test file on its own port and
// data directory, with one bucket, and stopped after.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import type { FilesConfig } from '../../src/server/config'

export type S3Standin = { config: Extract<FilesConfig, { kind: 's3' }>; client: S3Client; stop(): Promise<void> }

const BIN = path.resolve(import.meta.dirname, '../../node_modules/s3rver/bin/s3rver.js')

async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`s3rver exited with ${child.exitCode}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      }).on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`s3rver did not listen on ${port}`)
}

export async function startS3Standin(port = Number(process.env.S3_STANDIN_PORT ?? 4570)): Promise<S3Standin> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twofold-s3rver-'))
  const child = spawn(process.execPath, [BIN, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'], { stdio: 'ignore' })
  await listening(port, child)
  // s3rver's fixed credentials.
  const config = {
    kind: 's3' as const,
    bucket: 'twofold-test',
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  }
  const client = new S3Client({ region: config.region, endpoint: config.endpoint, forcePathStyle: true, credentials: config.credentials })
  await client.send(new CreateBucketCommand({ Bucket: config.bucket }))
  return {
    config,
    client,
    async stop() {
      client.destroy()
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill()
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
