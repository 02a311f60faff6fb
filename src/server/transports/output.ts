// An operation's output as it leaves the API: exactly the keys its output schema declares, at every depth, so a
// service that returns one column more (a password hash, a workspace's Stripe id) never leaks it.
//
// zod's parse does that and also re-checks every format (the UUID and date-time regexes, lengths, integer bounds)
// of values our own database and services made, whose types TypeScript already checks: in a profile of the API's
// list of 20 projects, zod and its regexes were 6% of the server's samples, and 1% with this projection. So a schema
// made only of objects, arrays, nullable/optional wrappers and plain leaves (string, number, boolean, enum, literal)
// is compiled once into a projection: it copies the declared keys and checks each leaf's JavaScript type, nothing
// more. Anything it cannot vouch for (a leaf of the wrong type, a missing key, a schema with a transform, a default,
// a union, a record…) goes to zod's parse, as before: a wrong value is still refused by zod, and a projection never
// lets through what parse would strip. It reads zod 4's schema definitions (`_zod.def`): a definition it does not
// recognise falls back to parse, and tests/unit/output.test.ts compares its answers with zod's own parse.
import type { z } from 'zod'

/** Gives the value of the projected shape, or NOT_PROJECTED where only zod can decide. */
type Project = (value: unknown) => unknown
const NOT_PROJECTED: unique symbol = Symbol('not projected')

// zod's own definition of a schema (v4's `_zod.def`): the part read here.
type Def = {
  type: string
  shape?: Record<string, z.ZodType>
  catchall?: unknown
  element?: z.ZodType
  innerType?: z.ZodType
  checks?: readonly { _zod: { def: { check: string } } }[]
  /** An enum's members. */
  entries?: Record<string, unknown>
  /** A literal's values. */
  values?: readonly unknown[]
}
const defOf = (schema: z.ZodType): Def => schema._zod.def as Def

/** A leaf's test: its JavaScript type; an enum's or a literal's value, as zod checks it. */
function leafTest(def: Def): ((value: unknown) => boolean) | null {
  if (def.type === 'string') return (value) => typeof value === 'string'
  // zod refuses NaN and the infinities, which JSON would write as null.
  if (def.type === 'number') return (value) => typeof value === 'number' && Number.isFinite(value)
  if (def.type === 'boolean') return (value) => typeof value === 'boolean'
  const members = def.type === 'enum' ? Object.values(def.entries ?? {}) : def.type === 'literal' ? def.values : undefined
  if (!members) return null
  const allowed = new Set(members)
  return (value) => allowed.has(value)
}

/** The projection for `schema`, or null when some part of it is not one this file knows to be only a shape. */
function compile(schema: z.ZodType): Project | null {
  const def = defOf(schema)
  // An overwrite check (trim, toLowerCase…) changes the value: only zod applies it.
  if (def.checks?.some((check) => check._zod.def.check === 'overwrite')) return null
  const leaf = leafTest(def)
  if (leaf) return (value) => (leaf(value) ? value : NOT_PROJECTED)
  if ((def.type === 'nullable' || def.type === 'optional') && def.innerType) {
    const inner = compile(def.innerType)
    const empty = def.type === 'nullable' ? null : undefined
    return inner && ((value) => (value === empty ? value : inner(value)))
  }
  if (def.type === 'array' && def.element) return arrayOf(def.element)
  // Only the default object, which strips unknown keys; .strict() and .loose() (a catchall) are zod's.
  if (def.type === 'object' && def.shape && def.catchall === undefined) return objectOf(def.shape)
  return null
}

function arrayOf(element: z.ZodType): Project | null {
  const item = compile(element)
  if (!item) return null
  return (value) => {
    if (!Array.isArray(value)) return NOT_PROJECTED
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const projected = item(value[i])
      if (projected === NOT_PROJECTED) return NOT_PROJECTED
      out[i] = projected
    }
    return out
  }
}

function objectOf(shape: Record<string, z.ZodType>): Project | null {
  const fields: { key: string; project: Project; optional: boolean }[] = []
  for (const [key, schema] of Object.entries(shape)) {
    const project = compile(schema)
    if (!project) return null
    fields.push({ key, project, optional: defOf(schema).type === 'optional' })
  }
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return NOT_PROJECTED
    const out: Record<string, unknown> = {}
    for (const { key, project, optional } of fields) {
      const field: unknown = Reflect.get(value, key)
      // As zod: an absent optional key stays absent.
      if (field === undefined && optional) {
        if (key in value) out[key] = undefined
        continue
      }
      const projected = project(field)
      if (projected === NOT_PROJECTED) return NOT_PROJECTED
      out[key] = projected
    }
    return out
  }
}

const compiled = new WeakMap<z.ZodType, Project | null>()

/**
 * `value` as `schema` lets it out: projected where the schema is only a shape and the value fits it, else parsed by
 * zod (which throws for a value that does not fit, as it always did).
 */
export function outputOf<O extends z.ZodType>(schema: O, value: unknown): z.output<O> {
  let project = compiled.get(schema)
  if (project === undefined) {
    project = compile(schema)
    compiled.set(schema, project)
  }
  const projected = project ? project(value) : NOT_PROJECTED
  // The projection copies exactly the schema's keys and checks each leaf's type, so it is the schema's output shape.
  return projected === NOT_PROJECTED ? schema.parse(value) : (projected as z.output<O>)
}
