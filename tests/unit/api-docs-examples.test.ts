// The API reference's examples are answers the API could give and bodies it would accept: each is parsed with the
// operation's own schemas (the ones the routes parse with), not with the page's reading of the document.
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { pathParamExamples, problemExample, requestExample, successExample } from '@/app/docs/api/examples'
import { referenceOf } from '@/app/docs/api/reference'
import { publicOperations } from '@/server/operations/registry'
import { buildOpenApiDocument } from '@/server/transports/openapi'

const document = buildOpenApiDocument()
const { tags, schemas } = referenceOf(document)
const entries = tags.flatMap((tag) => tag.operations)
const operationNamed = (name: string) => publicOperations.find((op) => op.name === name)
const streamNamed = (name: string) => publicOperations.find((op) => op.name === name && op.http?.answer === 'events')
const problemSchema = z.fromJSONSchema(document.components.schemas.Problem as Parameters<typeof z.fromJSONSchema>[0])

describe('the API reference’s examples', () => {
  test('cover every operation of the document, each once', () => {
    expect(entries.map((e) => e.op.operationId).sort()).toEqual(publicOperations.map((op) => op.name).sort())
  })

  test.each(entries.map((e) => [e.op.operationId, e] as const))('%s: the success example is what the API answers', (name, entry) => {
    const example = successExample(entry, schemas)
    const stream = streamNamed(name)
    if (stream) {
      const data = example?.text.split('\n').find((line) => line.startsWith('data: '))
      expect(stream.http?.eventData?.safeParse(JSON.parse(data?.slice('data: '.length) ?? 'null')).error).toBeUndefined()
      return
    }
    const op = operationNamed(name)
    if (entry.success.status === 204) return expect(example).toBeNull()
    if (example?.text === '(the file’s bytes)') return expect(op?.http?.answer).toBe('bytes')
    expect(op?.output.safeParse(JSON.parse(example?.text ?? 'null')).error).toBeUndefined()
  })

  test.each(entries.map((e) => [e.op.operationId, e] as const))('%s: the request example is what the API accepts', (name, entry) => {
    const example = requestExample(entry, schemas)
    const op = operationNamed(name)
    if (!example) return expect(entry.op.requestBody).toBeUndefined()
    if (example.media === 'multipart/form-data') return expect(op?.http?.body).toBe('multipart')
    const input = { ...pathParamExamples(entry.op), ...JSON.parse(example.text) }
    expect(op?.input.safeParse(input).error).toBeUndefined()
  })

  test.each(entries.map((e) => [e.op.operationId, e] as const))('%s: the error example is a Problem the operation declares', (_, entry) => {
    const { status, text } = problemExample(entry)
    expect(Object.keys(entry.op.responses)).toContain(String(status))
    expect(problemSchema.safeParse(JSON.parse(text)).error).toBeUndefined()
  })

  test.each(entries.map((e) => [e.op.operationId, e] as const))('%s: a 422 example quotes what the API says', (name, entry) => {
    const problem = JSON.parse(problemExample(entry).text)
    if (problem.status !== 422) return
    const [field = ''] = Object.keys(problem.errors)
    // The input the example describes: an empty field, or a page size over the limit.
    const input = { ...pathParamExamples(entry.op), [field]: field === 'limit' ? '500' : '' }
    const parsed = operationNamed(name)?.input.safeParse(input)
    expect(parsed?.error && z.flattenError(parsed.error).fieldErrors).toEqual(problem.errors)
  })
})
