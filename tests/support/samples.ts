// Inputs generated from an operation's own input schema, so the suites built from the registry (the authorization
// matrix, the action-argument suite) need no hand-written sample when a new operation is registered.
import { z } from 'zod'
import type { Operation } from '../../src/server/operations/operation'

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  items?: JsonSchema
  minLength?: number
  minimum?: number
  anyOf?: JsonSchema[]
}

/** The smallest valid value for a JSON Schema, enough for a request the schema accepts. */
function sampleFor(schema: JsonSchema): unknown {
  if (schema.enum) return schema.enum[0]
  if (schema.anyOf?.[0]) return sampleFor(schema.anyOf[0])
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string':
      return 's'.repeat(Math.max(1, schema.minLength ?? 1))
    case 'integer':
    case 'number':
      return schema.minimum ?? 1
    case 'boolean':
      return true
    case 'array':
      return schema.items ? [sampleFor(schema.items)] : []
    default: {
      const body: Record<string, unknown> = {}
      for (const key of schema.required ?? []) body[key] = sampleFor(schema.properties?.[key] ?? {})
      return body
    }
  }
}

/** The smallest input object `op`'s input schema accepts (every required field, none of the optional ones). */
export function sampleInput(op: Operation): Record<string, unknown> {
  return sampleFor(z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema) as Record<string, unknown>
}
