// The API reference's reading of the OpenAPI document: its operations grouped by tag, in the document's order, with
// the parts the page shows (parameters, body, success answer) picked out once.
import type { OpenApiDocument } from '@/server/transports/openapi'

export type JsonSchema = {
  type?: string | string[]
  $ref?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  default?: unknown
  examples?: unknown[]
  format?: string
  description?: string
  minimum?: number
  exclusiveMinimum?: number
  [keyword: string]: unknown
}

export type Parameter = { name: string; in: 'path' | 'query' | 'header'; required: boolean; description?: string; schema?: JsonSchema }
export type MediaType = { schema?: JsonSchema; 'x-event-data'?: JsonSchema }
export type ResponseObject = { description: string; content?: Record<string, MediaType> }

export type OperationObject = {
  operationId: string
  summary: string
  description: string
  tags: string[]
  'x-required-scopes': string[]
  'x-twofold-role': string | null
  parameters: Parameter[]
  requestBody?: { content: Record<string, MediaType> }
  responses: Record<string, ResponseObject>
}

export type ReferenceOperation = {
  /** GET, POST, …: as the heading and the request show it. */
  method: string
  path: string
  op: OperationObject
  /** The one 2xx answer every operation declares (a download also has 206: the range is an option, not the rule). */
  success: { status: number; response: ResponseObject }
}

export type ReferenceTag = { name: string; description: string; operations: ReferenceOperation[] }

export type Reference = { tags: ReferenceTag[]; schemas: Record<string, JsonSchema> }

function successOf(op: OperationObject): ReferenceOperation['success'] {
  const [status, response] = Object.entries(op.responses).find(([code]) => code.startsWith('2')) ?? []
  if (!status || !response) throw new Error(`${op.operationId} declares no success answer`)
  return { status: Number(status), response }
}

export function referenceOf(document: OpenApiDocument): Reference {
  // The document is built in memory from our own registry; this page reads it through the OpenAPI shapes above.
  const paths = document.paths as Record<string, Record<string, OperationObject>>
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op, success: successOf(op) })),
  )
  const tags = document.tags.map(({ name, description }) => ({
    name,
    description,
    operations: operations.filter(({ op }) => op.tags[0] === name),
  }))
  const untagged = operations.filter(({ op }) => !tags.some((tag) => tag.name === op.tags[0]))
  if (untagged.length) tags.push({ name: 'Other', description: '', operations: untagged })
  return { tags, schemas: document.components.schemas as Record<string, JsonSchema> }
}

/** The name a `$ref` points at: `#/components/schemas/Project` → Project. */
export const refName = (ref: string) => ref.split('/').pop() ?? ''

/** The media type of an operation's request body, if it takes one. */
export const bodyMediaOf = (op: OperationObject): string | undefined => Object.keys(op.requestBody?.content ?? {})[0]

export const anchorOfTag = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
