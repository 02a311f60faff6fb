// The API reference's typed-client snippets compile: each is type-checked, after the page's own setup snippet,
// against tests/generated/openapi.d.ts (what `npm run api:types` generates from the document, as a reader would).
import path from 'node:path'
import ts from 'typescript'
import { expect, test } from 'vitest'
import { referenceOf } from '@/app/docs/api/reference'
import { typedClientSetup, typedClientSnippet } from '@/app/docs/api/snippets'
import { buildOpenApiDocument } from '@/server/transports/openapi'

const ROOT = path.resolve(import.meta.dirname, '../..')
// Never written: the compiler host below serves it from memory, beside the generated types it imports.
const SNIPPETS_FILE = path.join(ROOT, 'tests/generated/api-docs-snippets.ts')

function compile(source: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: ['node'],
  }
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (name, language, ...rest) =>
    name === SNIPPETS_FILE ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest)
  host.fileExists = (name) => name === SNIPPETS_FILE || fileExists.call(host, name)
  host.readFile = (name) => (name === SNIPPETS_FILE ? source : readFile.call(host, name))
  const program = ts.createProgram([SNIPPETS_FILE], options, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
    const line = at ? source.split('\n')[at.line] : ''
    return `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} in: ${line?.trim()}`
  })
}

test('every typed-client snippet on /docs/api type-checks against the generated client types', () => {
  const { tags, schemas } = referenceOf(buildOpenApiDocument())
  const setup = typedClientSetup('http://localhost:3000').replace("from './twofold-api'", "from './openapi'")
  expect(setup).toContain("from './openapi'")
  const source = [
    "import { openAsBlob } from 'node:fs'",
    setup,
    // What a reader has from earlier answers.
    'declare const projectId: string',
    'declare const fileId: string',
    ...tags.flatMap((tag) => tag.operations).map((entry) => `{\n${typedClientSnippet(entry, schemas)}\n}`),
  ].join('\n')
  expect(compile(source)).toEqual([])
}, 60_000)

test('a snippet that calls the API wrongly does not type-check', () => {
  const setup = typedClientSetup('http://localhost:3000').replace("from './twofold-api'", "from './openapi'")
  const wrong = ["await api.POST('/api/v1/projects', { body: { title: 'x' } })", "await api.GET('/api/v1/nowhere')"]
  expect(compile([setup, ...wrong].join('\n'))).toHaveLength(2)
}, 60_000)
