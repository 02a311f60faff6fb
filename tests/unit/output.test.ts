// What an operation's output lets out (transports/output.ts): exactly the keys its schema declares, at every depth,
// whether the compiled projection or zod's parse answers; a value that does not fit is refused as zod refuses it.
import { describe, expect, test } from 'vitest'
import { ZodError, z } from 'zod'
import { Project, ProjectPage } from '../../src/server/services/projects'
import { outputOf } from '../../src/server/transports/output'

const project = {
  id: '0b9f4f8e-5d1a-4c3e-9a57-1f2d3c4b5a69',
  name: 'Apollo',
  description: '',
  version: 3,
  createdAt: '2026-01-02T03:04:05.006Z',
  updatedAt: '2026-01-02T03:04:05.006Z',
}
const Nested = z.object({
  id: z.string(),
  owner: z.object({ name: z.string(), role: z.enum(['owner', 'member']) }).nullable(),
  tags: z.array(z.object({ label: z.string() })),
  note: z.string().optional(),
  kind: z.literal('nested'),
  active: z.boolean(),
})

describe('fields the schema does not name never leave the server', () => {
  test.each([
    ['a page of projects', ProjectPage, { items: [{ ...project, workspaceId: 'w', passwordHash: 'x' }], nextCursor: null, total: 1 }],
    ['one project', Project, { ...project, createdBy: 'u' }],
    [
      'nested objects, arrays and a nullable object',
      Nested,
      {
        id: '1',
        owner: { name: 'A', role: 'owner', email: 'a@x' },
        tags: [{ label: 't', secret: 's' }],
        kind: 'nested',
        active: true,
        x: 1,
      },
    ],
    ['a null nested object and an absent optional key', Nested, { id: '1', owner: null, tags: [], kind: 'nested', active: false, x: 1 }],
    // A default makes the schema one only zod can answer: it still strips.
    ['a schema with a default', z.object({ id: z.string(), note: z.string().default('none') }), { id: '1', hash: 'x' }],
  ])('%s', (_, schema: z.ZodType, value) => {
    const out = outputOf(schema, value)
    expect(out).toStrictEqual(schema.parse(value))
    expect(JSON.stringify(out)).not.toMatch(/passwordHash|workspaceId|createdBy|email|secret|hash|total|"x"/)
  })
})

describe('a value that does not fit the schema is refused, as zod refuses it', () => {
  test.each([
    ['a Date where a string is declared', Project, { ...project, createdAt: new Date() }],
    ['a missing key', Project, { ...project, name: undefined }],
    ['a number as a string', Project, { ...project, version: '3' }],
    ['NaN', Project, { ...project, version: Number.NaN }],
    ['an enum value not in the enum', Nested, { id: '1', owner: { name: 'A', role: 'admin' }, tags: [], kind: 'nested', active: true }],
    ['another literal', Nested, { id: '1', owner: null, tags: [], kind: 'flat', active: true }],
    ['an object where an array is declared', ProjectPage, { items: { 0: project }, nextCursor: null }],
  ])('%s', (_, schema: z.ZodType, value) => {
    expect(() => outputOf(schema, value)).toThrow(ZodError)
  })
})

test('a schema that changes values (trim, a transform) is answered by zod, which applies the change', () => {
  expect(outputOf(z.object({ name: z.string().trim() }), { name: ' a ' })).toEqual({ name: 'a' })
  expect(outputOf(z.object({ n: z.string().transform((s) => s.length) }), { n: 'abc' })).toEqual({ n: 3 })
})
