// Schema parsing that fails with the shared VALIDATION error rather than a ZodError.
import type { z } from 'zod'
import { ValidationError } from '../errors'

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success) throw ValidationError.fromZod(result.error)
  return result.data
}
