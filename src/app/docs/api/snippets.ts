// The code a reader copies: a curl command and a typed-client call (openapi-fetch over the types openapi-typescript
// generates from /api/v1/openapi.json) for each operation. tests/unit/api-docs-snippets.test.ts type-checks every
// typed-client snippet against tests/generated/openapi.d.ts, the same types `npm run api:types` writes.
import { exampleOf, pathParamExamples } from './examples'
import { bodyMediaOf, type JsonSchema, type ReferenceOperation } from './reference'

/** `{id}` after `/projects/` is a project's id: PROJECT_ID in the shell, projectId in TypeScript. */
function placeholderName(path: string, param: string): { shell: string; ts: string } {
  const before = path.split(`/{${param}}`)[0]?.split('/').pop() ?? ''
  const words = param === 'id' ? [before.replace(/s$/, ''), 'id'] : param.split(/(?=[A-Z])/)
  const lower = words.map((w) => w.toLowerCase())
  return {
    shell: lower.join('_').toUpperCase(),
    ts: lower.map((w, i) => (i ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(''),
  }
}

/** Query parameters with a default, shown with it so the reader sees where paging goes. */
const queryExamples = ({ op }: ReferenceOperation) =>
  op.parameters.filter((p) => p.in === 'query' && p.schema?.default !== undefined).map((p) => [p.name, p.schema?.default] as const)

const hasHeader = ({ op }: ReferenceOperation, name: string) => op.parameters.some((p) => p.in === 'header' && p.name === name)

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

const isStream = ({ success }: ReferenceOperation) => Boolean(success.response.content?.['text/event-stream'])
const isDownload = ({ success }: ReferenceOperation) =>
  Object.values(success.response.content ?? {}).some((m) => m.schema?.format === 'binary')

function jsonBody(entry: ReferenceOperation, schemas: Record<string, JsonSchema>): unknown {
  const schema = entry.op.requestBody?.content['application/json']?.schema
  return schema ? exampleOf(schema, schemas) : undefined
}

export function curlSnippet(entry: ReferenceOperation, baseUrl: string, schemas: Record<string, JsonSchema>): string {
  const { method, path } = entry
  let url = baseUrl + path.replace(/\{(\w+)\}/g, (_, name: string) => `$${placeholderName(path, name).shell}`)
  const query = queryExamples(entry)
  if (query.length) url += `?${query.map(([name, value]) => `${name}=${String(value)}`).join('&')}`
  const flags = isDownload(entry) ? ' -OJ' : isStream(entry) ? ' -N' : ' -i'
  const lines = [`curl${flags}${method === 'GET' ? '' : ` -X ${method}`} "${url}"`, '  -H "Authorization: Bearer $TWOFOLD_TOKEN"']
  if (hasHeader(entry, 'If-Match')) lines.push(`  -H 'If-Match: "v1"'`)
  const media = bodyMediaOf(entry.op)
  if (media === 'multipart/form-data') lines.push('  -F "file=@launch-plan.pdf"')
  else if (media) lines.push(`  -H "Content-Type: ${media}"`, `  -d ${shellQuote(JSON.stringify(jsonBody(entry, schemas)))}`)
  return lines.join(' \\\n')
}

/** A value as a TypeScript literal in the style of this repository: single quotes, unquoted keys where possible. */
export function tsLiteral(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(', ')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k)}: ${tsLiteral(v)}`)
    return entries.length ? `{ ${entries.join(', ')} }` : '{}'
  }
  return JSON.stringify(value) ?? 'undefined'
}

/** How to make the typed client once; each operation's snippet below uses its `api`. */
export function typedClientSetup(baseUrl: string): string {
  return [
    `// npx openapi-typescript ${baseUrl}/api/v1/openapi.json -o twofold-api.d.ts`,
    "import createClient from 'openapi-fetch'",
    "import type { paths } from './twofold-api'",
    '',
    'const api = createClient<paths>({',
    `  baseUrl: ${tsLiteral(baseUrl)},`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the snippet's own template literal, shown as text
    '  headers: { Authorization: `Bearer ${process.env.TWOFOLD_TOKEN}` },',
    '})',
  ].join('\n')
}

export function typedClientSnippet(entry: ReferenceOperation, schemas: Record<string, JsonSchema>): string {
  const { method, path } = entry
  const params: string[] = []
  const pathParams = Object.keys(pathParamExamples(entry.op)).map((name) => {
    const variable = placeholderName(path, name).ts
    return variable === name ? name : `${name}: ${variable}`
  })
  if (pathParams.length) params.push(`path: { ${pathParams.join(', ')} }`)
  const query = queryExamples(entry)
  if (query.length) params.push(`query: { ${query.map(([name, value]) => `${name}: ${tsLiteral(value)}`).join(', ')} }`)
  if (hasHeader(entry, 'If-Match')) params.push(`header: { 'If-Match': '"v1"' }`)
  const options: string[] = []
  if (params.length) options.push(`params: { ${params.join(', ')} }`)
  const before: string[] = []
  const media = bodyMediaOf(entry.op)
  if (media === 'multipart/form-data') {
    before.push(
      "// import { openAsBlob } from 'node:fs'",
      'const form = new FormData()',
      "form.append('file', await openAsBlob('launch-plan.pdf', { type: 'application/pdf' }), 'launch-plan.pdf')",
    )
    // The generated type says string (format: binary); what travels is the form, which the serializer hands over.
    options.push("body: { file: 'launch-plan.pdf' }", 'bodySerializer: () => form')
  } else if (media) options.push(`body: ${tsLiteral(jsonBody(entry, schemas))}`)
  if (isDownload(entry)) options.push("parseAs: 'blob'")
  if (isStream(entry)) options.push("parseAs: 'stream'")
  const result = isStream(entry) || isDownload(entry) ? '{ data, response }' : '{ data, error, response }'
  const call = options.length
    ? `const ${result} = await api.${method}('${path}', {\n${options.map((o) => `  ${o},`).join('\n')}\n})`
    : `const ${result} = await api.${method}('${path}')`
  const after: string[] = []
  if (isStream(entry)) {
    after.push(
      '// Each chunk holds whole or partial "event:/id:/data:" lines; keep the last id for Last-Event-ID.',
      'const reader = data?.pipeThrough(new TextDecoderStream()).getReader()',
      'for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) console.log(chunk.value)',
    )
  } else if (isDownload(entry)) after.push("console.log(response.status, data?.size, response.headers.get('content-type'))")
  else after.push('if (error) console.error(response.status, error.code, error.detail)', 'else console.log(data)')
  return [...before, call, ...after].join('\n')
}
