// A small S3 stand-in over real HTTP, in this process, for the S3 storage tests and `npm run cluster`: path-style
// requests to one bucket, objects kept in memory, and only what our code and tests call — CreateBucket, PutObject,
// multipart upload (create, part, complete, abort), GetObject with Range, HeadObject, DeleteObject, ListObjectsV2.
// Signatures are not verified (it is a stand-in), but a request must name the stand-in's access key.
// It listens on a port the OS hands out unless given one (S3_STANDIN_PORT), so two runs on one machine do not clash.
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import type { FilesConfig } from '../../src/server/config'

export type S3Standin = {
  config: Extract<FilesConfig, { kind: 's3' }>
  client: S3Client
  /** Multipart uploads begun and neither completed nor aborted: parts a real bucket would keep (and bill). */
  openUploads(): number
  stop(): Promise<void>
}

type StoredObject = { body: Buffer; etag: string; lastModified: Date }

const ACCESS_KEY = 'STANDIN'
const xmlText = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const etagOf = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks)
  // The SDK may stream a body as aws-chunked (hex size, CRLF, bytes, CRLF …, then a zero chunk and trailers).
  return /aws-chunked/.test(request.headers['content-encoding'] ?? '') ? decodeAwsChunked(raw) : raw
}

function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at)
    if (lineEnd < 0) break
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16)
    if (!size) break
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts)
}

function send(response: ServerResponse, status: number, body = '', headers: Record<string, string> = {}) {
  response.writeHead(status, { ...(body ? { 'content-type': 'application/xml' } : {}), ...headers })
  response.end(body)
}

function error(response: ServerResponse, status: number, code: string, message: string) {
  send(response, status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlText(message)}</Message></Error>`)
}

/** `bytes=a-b` of a body of `size` bytes, as S3 reads it (the forms our code sends), or null for the whole. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '')
  if (!match) return null
  const [, from = '', to = ''] = match
  if (from === '') return { start: Math.max(0, size - Number(to)), end: size - 1 }
  return { start: Number(from), end: Math.min(size - 1, to === '' ? size - 1 : Number(to)) }
}

export async function startS3Standin(port = Number(process.env.S3_STANDIN_PORT ?? 0)): Promise<S3Standin> {
  const bucket = 'twofold-test'
  const buckets = new Set<string>()
  const objects = new Map<string, StoredObject>()
  const uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>()

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (!(request.headers.authorization ?? '').includes(`Credential=${ACCESS_KEY}/`)) {
      return error(response, 403, 'InvalidAccessKeyId', 'The stand-in takes its own access key only.')
    }
    const url = new URL(request.url ?? '/', 'http://s3.test')
    const [, name = '', ...rest] = url.pathname.split('/')
    const key = decodeURIComponent(rest.join('/'))
    const query = url.searchParams
    const method = request.method ?? 'GET'
    if (!key) {
      if (method === 'PUT') {
        buckets.add(name)
        return send(response, 200)
      }
      if (!buckets.has(name)) return error(response, 404, 'NoSuchBucket', name)
      if (method === 'GET' && query.get('list-type') === '2') {
        const prefix = query.get('prefix') ?? ''
        const listed = [...objects].filter(([k]) => k.startsWith(`${name}/${prefix}`)).sort(([a], [b]) => a.localeCompare(b))
        const contents = listed.map(
          ([k, o]) =>
            `<Contents><Key>${xmlText(k.slice(name.length + 1))}</Key><Size>${o.body.length}</Size><ETag>${xmlText(o.etag)}</ETag><LastModified>${o.lastModified.toISOString()}</LastModified></Contents>`,
        )
        return send(
          response,
          200,
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${xmlText(name)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${listed.length}</KeyCount><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
        )
      }
      return error(response, 501, 'NotImplemented', `${method} on a bucket`)
    }
    if (!buckets.has(name)) return error(response, 404, 'NoSuchBucket', name)
    const id = `${name}/${key}`
    const uploadId = query.get('uploadId')

    if (method === 'POST' && query.has('uploads')) {
      const created = randomUUID()
      uploads.set(created, { key: id, parts: new Map() })
      return send(
        response,
        200,
        `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${xmlText(name)}</Bucket><Key>${xmlText(key)}</Key><UploadId>${created}</UploadId></InitiateMultipartUploadResult>`,
      )
    }
    if (uploadId !== null) {
      const upload = uploads.get(uploadId)
      if (!upload || upload.key !== id) return error(response, 404, 'NoSuchUpload', uploadId)
      if (method === 'PUT') {
        const body = await readBody(request)
        upload.parts.set(Number(query.get('partNumber')), body)
        return send(response, 200, '', { etag: etagOf(body) })
      }
      if (method === 'POST') {
        const listed = [...(await readBody(request)).toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))
        const missing = listed.find((n) => !upload.parts.has(n))
        if (missing !== undefined) return error(response, 400, 'InvalidPart', `part ${missing}`)
        const body = Buffer.concat(listed.map((n) => upload.parts.get(n) ?? Buffer.alloc(0)))
        const etag = etagOf(body)
        objects.set(id, { body, etag, lastModified: new Date() })
        uploads.delete(uploadId)
        return send(
          response,
          200,
          `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${xmlText(name)}</Bucket><Key>${xmlText(key)}</Key><ETag>${xmlText(etag)}</ETag></CompleteMultipartUploadResult>`,
        )
      }
      if (method === 'DELETE') {
        uploads.delete(uploadId)
        return send(response, 204)
      }
    }
    if (method === 'PUT') {
      const body = await readBody(request)
      const etag = etagOf(body)
      objects.set(id, { body, etag, lastModified: new Date() })
      return send(response, 200, '', { etag })
    }
    if (method === 'DELETE') {
      objects.delete(id)
      return send(response, 204)
    }
    const stored = objects.get(id)
    if (method === 'HEAD') {
      if (!stored) return send(response, 404)
      return send(response, 200, '', { 'content-length': String(stored.body.length), etag: stored.etag })
    }
    if (method === 'GET') {
      if (!stored) return error(response, 404, 'NoSuchKey', key)
      const size = stored.body.length
      const range = byteRange(request.headers.range, size)
      if (range && (range.start >= size || range.start > range.end))
        return error(response, 416, 'InvalidRange', request.headers.range ?? '')
      const headers = { 'content-type': 'application/octet-stream', etag: stored.etag, 'last-modified': stored.lastModified.toUTCString() }
      if (!range) {
        response.writeHead(200, { ...headers, 'content-length': String(size) })
        return response.end(stored.body)
      }
      response.writeHead(206, {
        ...headers,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      })
      return response.end(stored.body.subarray(range.start, range.end + 1))
    }
    return error(response, 501, 'NotImplemented', method)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((failure: unknown) => {
      if (!response.headersSent) error(response, 500, 'InternalError', String(failure))
      else response.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  const listening = (server.address() as AddressInfo).port
  const config = {
    kind: 's3' as const,
    bucket,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${listening}`,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'STANDIN-SECRET' },
  }
  const client = new S3Client({ region: config.region, endpoint: config.endpoint, forcePathStyle: true, credentials: config.credentials })
  await client.send(new CreateBucketCommand({ Bucket: config.bucket }))
  return {
    config,
    client,
    openUploads: () => uploads.size,
    async stop() {
      client.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
