// The OpenAPI 3.1 document, generated from the operation registry: paths, parameters, bodies and every status
// each operation can answer follow from its declaration, so the contract cannot drift from the handlers.
import { z } from 'zod'
import { CORS_EXPOSED_HEADERS } from '../http/cors'
import { STATUS_BY_CODE } from '../http/problem'
import { REQUEST_ID_MAX_LENGTH, REQUEST_ID_PATTERN } from '../http/request-id'
import type { HttpShape, Operation } from '../operations/operation'
import { publicOperations } from '../operations/registry'
import { INT4_MAX, UUID_LENGTH } from '../services/bounds'
import type { Role } from '../services/context'
import { FREE_TEXT_PATTERN } from '../services/text'
import { RETRY_MS } from './to-event-stream'

type JsonSchema = Record<string, unknown>
type Components = { schemas: Record<string, JsonSchema> }

const REQUEST_ID = { type: 'string', pattern: REQUEST_ID_PATTERN, maxLength: REQUEST_ID_MAX_LENGTH }
// One or more entity tags, or *, as If-Match and If-None-Match carry them.
const ENTITY_TAGS = { type: 'string', pattern: '^(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)$', maxLength: 1024 }

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document.',
  properties: {
    type: { type: 'string', format: 'uri', maxLength: 200 },
    title: { type: 'string', enum: [...new Set(Object.values(STATUS_BY_CODE).map((s) => s.title))] },
    status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599 },
    detail: { type: 'string', maxLength: 2000, pattern: FREE_TEXT_PATTERN },
    code: { type: 'string', enum: Object.keys(STATUS_BY_CODE) },
    requestId: { ...REQUEST_ID, description: 'also in the X-Request-Id header and in the server logs' },
    errors: {
      type: 'object',
      description: 'for VALIDATION: the messages for each invalid field, by field path',
      additionalProperties: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 500, pattern: FREE_TEXT_PATTERN } },
    },
  },
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
}

const count = { type: 'integer', format: 'int32', minimum: 0, maximum: INT4_MAX }
const RESPONSE_HEADERS = {
  'X-Request-Id': { description: 'identifies the request in the server logs', schema: REQUEST_ID },
  'RateLimit-Limit': { description: 'requests allowed in the current window', schema: count },
  'RateLimit-Remaining': { description: 'requests left in the current window', schema: count },
  'RateLimit-Reset': { description: 'seconds until the window resets', schema: count },
  ETag: {
    description: 'the version of the resource, for If-None-Match and If-Match',
    schema: { type: 'string', pattern: '^"v[1-9][0-9]{0,9}"$', maxLength: 13 },
  },
  Location: { description: 'the URL of the created resource', schema: { type: 'string', format: 'uri', maxLength: 2048 } },
  'Retry-After': { description: 'seconds to wait before retrying', schema: count },
  'WWW-Authenticate': { description: 'the authentication scheme: Bearer', schema: { type: 'string', const: 'Bearer realm="twofold"' } },
  Allow: { description: 'the methods this path accepts', schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$', maxLength: 100 } },
  Link: {
    description: 'RFC 8288 link to the next page (rel="next")',
    schema: { type: 'string', pattern: '^<[^>]+>; rel="next"$', maxLength: 2100 },
  },
  'Access-Control-Allow-Origin': {
    description: 'CORS: any origin may call the API (it takes bearer tokens only and ignores cookies)',
    schema: { type: 'string', const: '*' },
  },
  'File-ETag': {
    description: 'the file’s SHA-256, quoted: for If-None-Match and If-Range',
    schema: { type: 'string', pattern: '^"[0-9a-f]{64}"$', maxLength: 66 },
  },
  'Content-Disposition': {
    description: 'always an attachment, with the file’s name as an ASCII fallback and exactly (RFC 6266, RFC 8187)',
    schema: { type: 'string', pattern: '^attachment; filename="', maxLength: 2048 },
  },
  'Content-Range': {
    description: 'the part sent (206), or the file’s size (416: bytes */size)',
    schema: { type: 'string', pattern: '^bytes ([0-9]+-[0-9]+|\\*)/[0-9]+$', maxLength: 64 },
  },
  'Accept-Ranges': { description: 'single byte ranges are served', schema: { type: 'string', const: 'bytes' } },
  'Access-Control-Expose-Headers': {
    description: 'CORS: the response headers a browser script may read',
    schema: { type: 'string', const: CORS_EXPOSED_HEADERS.join(', ') },
  },
}
type HeaderName = keyof typeof RESPONSE_HEADERS
const headerRefs = (...names: HeaderName[]) => Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]))
const CORS_HEADERS: HeaderName[] = ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']
const RATE_LIMIT_HEADERS: HeaderName[] = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']
const COMMON_HEADERS: HeaderName[] = ['X-Request-Id', ...CORS_HEADERS, ...RATE_LIMIT_HEADERS]

/** A zod schema as JSON Schema, its named parts (`.meta({ id })`) hoisted into components and referenced. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Components): JsonSchema {
  const { $schema: _, $defs, id, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) components.schemas[name] = relink(def)
  const body = relink(rest)
  if (typeof id === 'string') {
    components.schemas[id] = body
    return { $ref: `#/components/schemas/${id}` }
  }
  return body
}

function relink<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'))
}

/** The {param} names in a path template, in order. */
export const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '')

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {}
}

/** The input minus what does not travel in the body or query: path parameters and the If-Match version. */
function transportedFields(op: Operation, http: HttpShape<unknown>): z.ZodType | null {
  if (!(op.input instanceof z.ZodObject)) return op.input
  const omitted = new Set([...pathParams(http.path), 'expectedVersion', ...Object.keys(http.headers ?? {})])
  const kept = Object.entries(objectShape(op.input)).filter(([k]) => !omitted.has(k))
  return kept.length ? z.object(Object.fromEntries(kept)) : null
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

// A server error may come before any limiter has counted (503: the database that keeps the counts is away), so
// RateLimit-* is promised on 2xx, 3xx and 4xx answers only.
const problem = (status: number, description: string, ...headers: HeaderName[]) => ({
  description,
  headers: headerRefs(...(status >= 500 ? ['X-Request-Id' as const, ...CORS_HEADERS] : COMMON_HEADERS), ...headers),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})

// Every token's holder is at least a member of its workspace, so only a higher role can refuse one.
const refusesByRole = (role: Role | null) => role !== null && role !== 'member'

const ROLE_SENTENCES: Record<Role, string> = {
  owner: 'Only an owner of the token’s workspace may call it.',
  admin: 'Only an admin or owner of the token’s workspace may call it.',
  member: 'Any member of the token’s workspace may call it.',
}

/** Who may call an operation, in words: the scope the token must carry and the role its member must hold. */
function whoMayCall(op: Pick<Operation, 'scope' | 'role'>): string {
  const scope = op.scope ? `Requires a token with the \`${op.scope}\` scope.` : 'Any valid token.'
  // A token acts with its member's role as it is at the time of the request, not as it was when it was made.
  const role = op.role
    ? `${ROLE_SENTENCES[op.role]} The role is the one its creator holds there now, read on every request.`
    : 'It is about the token’s owner, not a workspace.'
  return `${scope} ${role}`
}

/** Why an operation may answer 403: the scope, the role, or both. */
function forbiddenFor(op: Operation): string {
  const reasons = [op.scope ? 'the token lacks the required scope' : '', refusesByRole(op.role) ? 'its member lacks the role' : '']
  const said = reasons.filter(Boolean).join(', or ')
  return said.charAt(0).toUpperCase() + said.slice(1)
}

/** Every status an operation can answer, derived from its shape. */
export function statusesFor(op: Operation): number[] {
  const http = op.http
  if (!http) return []
  const statuses = [http.status, 401, 405, 429, 500, 503]
  if (http.answer === 'bytes') statuses.push(206, 304, 416)
  const hasBody = BODY_METHODS.has(http.method)
  if (http.method === 'GET' && http.etagVersion) statuses.push(304)
  if (hasBody) statuses.push(400, 413, 415)
  if (op.scope || refusesByRole(op.role)) statuses.push(403)
  if (pathParams(http.path).length) statuses.push(404)
  if (http.ifMatch) statuses.push(412)
  if (hasBody || Object.keys(objectShape(transportedFields(op, http) ?? z.object({}))).length) statuses.push(422)
  return statuses.sort((a, b) => a - b)
}

const BYTES = { schema: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream', maxLength: 104_857_600 } }

/** A download's answers: the bytes (200, or 206 for a range), 304 for a current copy, 416 for a range past the end. */
function bytesResponses(status: number): unknown {
  const headers = headerRefs(...COMMON_HEADERS, 'File-ETag', 'Content-Disposition', 'Accept-Ranges')
  if (status === 200) return { description: 'The file', headers, content: { '*/*': BYTES } }
  if (status === 206) {
    return { description: 'The range asked for', headers: { ...headers, ...headerRefs('Content-Range') }, content: { '*/*': BYTES } }
  }
  if (status === 304) return { description: 'Not modified: your copy (If-None-Match) is current', headers }
  return { ...problem(416, 'The range starts past the end of the file'), headers: { ...headers, ...headerRefs('Content-Range') } }
}

function responsesFor(op: Operation, http: HttpShape<unknown>, components: Components) {
  const responses: Record<string, unknown> = {}
  for (const status of statusesFor(op)) responses[status] = responseFor(op, http, status, components)
  return responses
}

/** One answer of an operation, by its shape: a download's bytes, an event stream, the JSON output, or a problem. */
function responseFor(op: Operation, http: HttpShape<unknown>, status: number, components: Components): unknown {
  if (http.answer === 'bytes' && [200, 206, 304, 416].includes(status)) return bytesResponses(status)
  if (http.answer === 'events' && status === 200) return eventsResponse(http, components)
  if (status === http.status) return successResponse(op, http, components)
  if (status === 304) {
    return {
      description: 'Not modified: your copy (If-None-Match) is current',
      headers: headerRefs('X-Request-Id', ...CORS_HEADERS, ...RATE_LIMIT_HEADERS, 'ETag'),
    }
  }
  const upload = http.body === 'multipart' ? UPLOAD_PROBLEM_DESCRIPTIONS[status] : undefined
  const description = status === 403 ? forbiddenFor(op) : (upload ?? PROBLEM_DESCRIPTIONS[status] ?? 'Error')
  return problem(status, description, ...(PROBLEM_HEADERS[status] ?? []))
}

function successResponse(op: Operation, http: HttpShape<unknown>, components: Components) {
  const successHeaders: HeaderName[] = [...COMMON_HEADERS]
  if (http.etagVersion) successHeaders.push('ETag')
  if (http.status === 201) successHeaders.push('Location')
  if (http.paginated) successHeaders.push('Link')
  let schema = http.status === 204 ? null : toSchema(op.output, 'output', components)
  // A page's body also carries `next` (see withNextLink in to-route.ts): merged in, so strict validators accept it.
  if (schema && http.paginated) {
    const page = schema as { properties?: Record<string, unknown>; required?: string[] }
    schema = {
      ...page,
      properties: {
        ...page.properties,
        next: { type: ['string', 'null'], format: 'uri', maxLength: 2048, description: 'the next page; null on the last' },
      },
      required: [...(page.required ?? []), 'next'],
    }
  }
  return {
    description: http.status === 201 ? 'Created' : http.status === 204 ? 'Done; no content' : 'OK',
    headers: headerRefs(...successHeaders),
    ...(schema ? { content: { 'application/json': { schema } } } : {}),
  }
}

// What an event stream's body is made of: field lines (retry, id, event, data), comment lines and blank lines.
const SSE_PATTERN = '^((retry|id|event|data): ?[^\\n]*\\n|:[^\\n]*\\n|\\n)*$'

/** An event stream's 200: text/event-stream, whose events carry `eventData` as JSON. */
function eventsResponse(http: HttpShape<unknown>, components: Components) {
  return {
    description: `Server-Sent Events (retry: ${RETRY_MS} ms); each event’s data is the JSON document described by x-event-data`,
    headers: headerRefs(...COMMON_HEADERS),
    content: {
      'text/event-stream': {
        schema: { type: 'string', pattern: SSE_PATTERN, maxLength: 1_000_000_000 },
        'x-event-data': toSchema(http.eventData ?? z.unknown(), 'output', components),
      },
    },
  }
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed body: not JSON, not UTF-8, or not a JSON object',
  401: 'No valid API token (missing, unknown, revoked or expired)',
  404: 'No such object in the token’s workspace',
  405: 'Method not allowed on this path',
  412: 'If-Match does not match the current version',
  413: 'Body larger than 64 KiB',
  415: 'Body is not application/json',
  422: 'Input fails validation; `errors` lists the messages per field',
  429: 'Rate limited',
  500: 'Unexpected error; quote the requestId',
  503: 'Briefly unavailable (database unreachable)',
}
const UPLOAD_PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed multipart body, or cut off',
  413: 'The file is larger than the workspace’s plan allows (10 MB on Free, 100 MB on Pro)',
  415: 'Body is not multipart/form-data',
  422: 'No file field, an empty file, a name with path separators or control characters, or a type not allowed (checked by content)',
}
const PROBLEM_HEADERS: Record<number, HeaderName[]> = {
  401: ['WWW-Authenticate'],
  405: ['Allow'],
  429: ['Retry-After'],
  503: ['Retry-After'],
}

function operationObject(op: Operation, http: HttpShape<unknown>, components: Components) {
  const parameters: unknown[] = pathParams(http.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    // Every path parameter is an id; anything else is answered 404, as an id nobody owns.
    schema: { type: 'string', format: 'uuid', maxLength: UUID_LENGTH },
    description: objectShape(op.input)[name]?.description,
  }))
  if (http.answer === 'events') {
    parameters.push({
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^[0-9]{1,15}$', maxLength: 15 },
      description: 'the id of the last event received: the stream resumes after it',
    })
  }
  const fields = transportedFields(op, http)
  let requestBody: unknown
  if (http.body === 'multipart') {
    requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              file: {
                type: 'string',
                format: 'binary',
                contentMediaType: 'application/octet-stream',
                maxLength: 104_857_600,
                description: 'the file, with its name',
              },
            },
            required: ['file'],
          },
        },
      },
    }
  } else if (fields && BODY_METHODS.has(http.method)) {
    requestBody = { required: true, content: { 'application/json': { schema: toSchema(fields, 'input', components) } } }
  } else if (fields) {
    const query = toSchema(fields, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[] }
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, description })
    }
  }
  if (http.answer === 'bytes') {
    parameters.push(
      {
        name: 'Range',
        in: 'header',
        required: false,
        schema: { type: 'string', pattern: '^bytes=', maxLength: 100 },
        description: 'one byte range',
      },
      {
        name: 'If-Range',
        in: 'header',
        required: false,
        schema: ENTITY_TAGS,
        description: 'the range only if the file still has this ETag',
      },
      { name: 'If-None-Match', in: 'header', required: false, schema: ENTITY_TAGS, description: 'an ETag you hold: 304 if it is current' },
    )
  }
  if (http.method === 'GET' && http.etagVersion) {
    parameters.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      schema: ENTITY_TAGS,
      description: 'an ETag you hold: 304 if it is current',
    })
  }
  if (http.ifMatch) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      schema: ENTITY_TAGS,
      description: 'only act if the resource still has this ETag, else 412',
    })
  }
  return {
    operationId: op.name,
    summary: op.summary,
    tags: [op.tag],
    description: `${op.description ?? ''} ${whoMayCall(op)}`.trim(),
    security: [{ bearerAuth: [] }],
    'x-required-scopes': op.scope ? [op.scope] : [],
    // The least workspace role the token's member must hold (null: the operation is not about a workspace).
    'x-twofold-role': op.role,
    parameters,
    ...(requestBody ? { requestBody } : {}),
    responses: responsesFor(op, http, components),
  }
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  Activity: 'What changed in the workspace: a page of it, or a live stream of Server-Sent Events.',
  Projects: 'The workspace’s projects: list, read, create, change and delete them.',
  Account: 'Who a token belongs to, and what it may do.',
  Workspace: 'The workspace a token belongs to, the caller’s role in it, and its members.',
  Files: 'Files on a project: upload (multipart, checked by content and against the plan’s size limit), list, download, delete.',
}

export function buildOpenApiDocument(ops: readonly Operation[] = publicOperations, options: { serverUrl?: string } = {}) {
  const components: Components = { schemas: {} }
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of ops) {
    if (!op.http) continue
    paths[op.http.path] = { ...paths[op.http.path], [op.http.method.toLowerCase()]: operationObject(op, op.http, components) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Twofold API',
      version: '1.0.0',
      description:
        'The Twofold public API. Authenticate with an API token sent as `Authorization: Bearer tf_…`; create one in the app, in the settings of the workspace it is for. A token belongs to that workspace and acts with the role its creator holds there (owner, admin or member), read on every request: demote or remove the member and their tokens can do less, or nothing, at once. Errors are RFC 9457 problem+json documents.',
    },
    servers: [{ url: options.serverUrl ?? 'http://localhost:3000', 'x-internal': false }],
    tags: [...new Set(ops.map((op) => op.tag))].map((name) => ({
      name,
      description: TAG_DESCRIPTIONS[name] ?? name,
    })),
    paths,
    components: {
      schemas: { ...components.schemas, Problem: PROBLEM_SCHEMA },
      headers: RESPONSE_HEADERS,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token: it starts with tf_. It belongs to one workspace. Create and revoke tokens in the app.',
        },
      },
    },
  }
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>
