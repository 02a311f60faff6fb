// File storage in an S3-compatible bucket (AWS S3, MinIO, R2, a local stand-in), through the AWS SDK v3.
//
// Streaming without knowing the length: a multipart upload's parts are sent as they fill, so at most one part
// (8 MiB) of an upload is in memory at a time, whatever the file's size. A single PutObject would need the
// Content-Length up front, which a multipart/form-data body does not give for its file part; and @aws-sdk/lib-storage
// (which does the same) is one more dependency for thirty lines. A file smaller than one part is one PutObject.
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import type { FilesConfig } from '../config'
import { type ByteRange, checkKey, type FileStorage } from './storage'

/** S3's smallest part is 5 MiB (except the last); 8 MiB keeps the part count low with little memory. */
export const PART_BYTES = 8 * 1024 * 1024

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const name = 'name' in error ? error.name : undefined
  const status = '$metadata' in error ? (error.$metadata as { httpStatusCode?: number }).httpStatusCode : undefined
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404
}

export function s3Storage(config: Extract<FilesConfig, { kind: 's3' }>, client?: S3Client): FileStorage {
  const s3 =
    client ??
    new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
    })
  const Bucket = config.bucket

  async function put(key: string, body: Readable): Promise<void> {
    const Key = checkKey(key)
    let pending: Buffer[] = []
    let pendingBytes = 0
    let uploadId: string | undefined
    const parts: { ETag: string | undefined; PartNumber: number }[] = []
    const flushPart = async () => {
      if (!uploadId) uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId
      const PartNumber = parts.length + 1
      const chunk = Buffer.concat(pending, pendingBytes)
      pending = []
      pendingBytes = 0
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: chunk }))
      parts.push({ ETag, PartNumber })
    }
    try {
      for await (const data of body) {
        const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data)
        pending.push(chunk)
        pendingBytes += chunk.length
        if (pendingBytes >= PART_BYTES) await flushPart()
      }
      if (!uploadId) {
        const whole = Buffer.concat(pending, pendingBytes)
        await s3.send(new PutObjectCommand({ Bucket, Key, Body: whole, ContentLength: whole.length }))
        return
      }
      if (pendingBytes > 0) await flushPart()
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }))
    } catch (error) {
      // Parts of an aborted upload would otherwise be kept (and billed) by the bucket.
      if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {})
      throw error
    }
  }

  return {
    kind: 's3',
    put,
    async get(key, range?: ByteRange) {
      try {
        const answer = await s3.send(
          new GetObjectCommand({ Bucket, Key: checkKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        )
        if (!answer.Body) return null
        return answer.Body instanceof Readable ? answer.Body : Readable.fromWeb(answer.Body.transformToWebStream() as never)
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: checkKey(key) }))
    },
    async stat(key) {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket, Key: checkKey(key) }))
        return { size: head.ContentLength ?? 0 }
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
    },
  }
}
