// Examples generated from the OpenAPI document's schemas: a request body, the success answer and the problem document
// for each operation. Values come from the schema (const, examples, enum, default, format) and, where a bare type would
// say little ("string"), from a short table of plausible values by property; tests/unit/api-docs-examples.test.ts
// parses every example with the operation's own schemas, so an example the API would refuse fails the build.
import { STATUS_BY_CODE } from '@/server/http/problem'
import { RETRY_MS } from '@/server/transports/to-event-stream'
import { type JsonSchema, type OperationObject, type ReferenceOperation, refName } from './reference'

const PROJECT_ID = '3f6c1d2e-8a4b-4c5d-9e7f-1a2b3c4d5e6f'
const FILE_ID = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const OTHER_ID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'
const USER_ID = 'Xk3q9TzP2mWb8RdL'
const TIMESTAMP = '2026-03-02T09:30:00.000Z'

/**
 * Plausible values by property, most specific first: `Schema.path.to.property` (the schema a `$ref` named, then the
 * properties walked from it), else the property's own name. A schema's `const`, `examples` and `enum` come first.
 */
const BY_PLACE: Record<string, unknown> = {
  'Project.id': PROJECT_ID,
  'File.id': FILE_ID,
  'File.name': 'launch-plan.pdf',
  'Workspace.name': 'Acme',
  'Me.user.id': USER_ID,
  'Me.user.name': 'Ada Lovelace',
  'Member.name': 'Ada Lovelace',
  'Me.token.name': 'CI deploy',
  'Activity.actor.id': USER_ID,
  'Activity.actor.name': 'Ada Lovelace',
  'Activity.data': { name: 'Launch plan' },
  'Activity.subjectId': PROJECT_ID,
}
const BY_PROPERTY: Record<string, unknown> = {
  projectId: PROJECT_ID,
  fileId: FILE_ID,
  userId: USER_ID,
  uploadedBy: USER_ID,
  name: 'Launch plan',
  description: 'Everything for the spring launch.',
  email: 'ada@example.com',
  slug: 'acme',
  kind: 'project.created',
  contentType: 'application/pdf',
  size: 48_213,
  sha256: 'a3f1c9d2e4b5a6978877665544332211ffeeddccbbaa99887766554433221100',
  version: 1,
  next: null,
  nextCursor: null,
  expiresAt: null,
  subjectId: PROJECT_ID,
}
const BY_FORMAT: Record<string, unknown> = {
  uuid: OTHER_ID,
  'date-time': TIMESTAMP,
  email: 'ada@example.com',
  uri: 'https://twofold.example/api/v1/projects',
}

const allowsNull = (schema: JsonSchema) =>
  schema.type === 'null' ||
  (Array.isArray(schema.type) && schema.type.includes('null')) ||
  (schema.anyOf ?? schema.oneOf ?? []).some((variant) => variant.type === 'null')

const typeOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type)

/** An example value for a schema; `place` is where it sits (see BY_PLACE), `schemas` resolves `$ref`. */
export function exampleOf(schema: JsonSchema, schemas: Record<string, JsonSchema>, place = ''): unknown {
  if (schema.$ref) {
    const name = refName(schema.$ref)
    const target = schemas[name]
    return target ? (place in BY_PLACE ? BY_PLACE[place] : exampleOf(target, schemas, name)) : null
  }
  const property = place.split('.').pop() ?? ''
  if (schema.const !== undefined) return schema.const
  if (schema.examples?.length) return schema.examples[0]
  if (place in BY_PLACE) return BY_PLACE[place]
  if (property in BY_PROPERTY && (BY_PROPERTY[property] !== null || allowsNull(schema))) return BY_PROPERTY[property]
  if (schema.enum?.length) return schema.enum[0]
  const variants = schema.anyOf ?? schema.oneOf
  if (variants) {
    const first = variants.find((variant) => variant.type !== 'null') ?? variants[0]
    return first ? exampleOf(first, schemas, place) : null
  }
  if (schema.default !== undefined) return schema.default
  switch (typeOf(schema)) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, value]) => [
          name,
          exampleOf(value, schemas, place ? `${place}.${name}` : name),
        ]),
      )
    case 'array':
      return schema.items ? [exampleOf(schema.items, schemas, place)] : []
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return true
    case 'string':
      return (schema.format && BY_FORMAT[schema.format]) ?? 'string'
    default:
      return null
  }
}

/** An example for each path parameter, by name: the ids a reader would have from an earlier answer. */
export function pathParamExamples(op: OperationObject): Record<string, string> {
  return Object.fromEntries(
    op.parameters
      .filter((p) => p.in === 'path')
      .map((p) => [p.name, p.name === 'id' ? PROJECT_ID : String(BY_PROPERTY[p.name] ?? OTHER_ID)]),
  )
}

export type Example = { media: string; text: string }

const json = (value: unknown) => JSON.stringify(value, null, 2)

/** The request body's example, or null when the operation takes no body. A file upload shows its form's one part. */
export function requestExample({ op }: ReferenceOperation, schemas: Record<string, JsonSchema>): Example | null {
  const [media, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? []
  if (!media || !content?.schema) return null
  if (media === 'multipart/form-data') {
    return {
      media,
      text: [
        '--form-boundary',
        'Content-Disposition: form-data; name="file"; filename="launch-plan.pdf"',
        'Content-Type: application/pdf',
        '',
        '(the file’s bytes)',
        '--form-boundary--',
      ].join('\n'),
    }
  }
  return { media, text: json(exampleOf(content.schema, schemas)) }
}

/** The success answer's example: JSON, the events of a stream, a file's bytes, or nothing (204). */
export function successExample({ success }: ReferenceOperation, schemas: Record<string, JsonSchema>): Example | null {
  const [media, content] = Object.entries(success.response.content ?? {})[0] ?? []
  if (!media || !content) return null
  if (media === 'text/event-stream') {
    const data = content['x-event-data'] ? exampleOf(content['x-event-data'], schemas) : {}
    const id = typeof data === 'object' && data && 'id' in data ? String(data.id) : '1'
    return {
      media,
      text: [`retry: ${RETRY_MS}`, '', 'event: activity', `id: ${id}`, `data: ${JSON.stringify(data)}`, '', ': keep-alive', ''].join('\n'),
    }
  }
  if (!content.schema || content.schema.format === 'binary') return { media, text: '(the file’s bytes)' }
  return { media, text: json(exampleOf(content.schema, schemas)) }
}

// What the API answers for an empty name and for ?limit=500 (tests/unit/api-docs-examples.test.ts checks both).
export const NAME_MESSAGE = 'Name is required.'
export const LIMIT_MESSAGE = 'Too big: expected number to be <=100'

/** What the server says for each status the example shows (src/server/errors.ts), for the operation at hand. */
function detailFor(status: number, { op, path }: ReferenceOperation): string {
  if (status === 422) return 'Some fields are not valid.'
  if (status === 404) return `${path.includes('{fileId}') ? 'File' : 'Project'} not found.`
  if (status === 403)
    return op['x-required-scopes'][0] ? `This token lacks the ${op['x-required-scopes'][0]} scope.` : 'You are not allowed to do that.'
  return 'Sign in to continue.'
}

/**
 * The problem document the operation most characteristically answers: 422 for a JSON body or a page size it
 * validates, 404 for an object it looks up, 403 for a scope or role it requires, else 401. Every error has this shape.
 */
export function problemExample(entry: ReferenceOperation): { status: number; text: string } {
  const { op } = entry
  const body = op.requestBody?.content['application/json']?.schema
  const field = body?.required?.[0] ?? Object.keys(body?.properties ?? {})[0]
  const limit = op.parameters.some((p) => p.in === 'query' && p.name === 'limit')
  const statuses = Object.keys(op.responses).map(Number)
  const status = [field || limit ? 422 : 0, 404, 403, 401].find((s) => statuses.includes(s)) ?? 401
  const code = status === 422 ? 'VALIDATION' : status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : 'UNAUTHENTICATED'
  const problem = {
    type: `https://twofold.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_BY_CODE[code].title,
    status,
    detail: detailFor(status, entry),
    code,
    requestId: 'b7e2c1d4-0f3a-4e5b-9c6d-7a8b9c0d1e2f',
    ...(status === 422 ? { errors: field ? { [field]: [NAME_MESSAGE] } : { limit: [LIMIT_MESSAGE] } } : {}),
  }
  return { status, text: json(problem) }
}
