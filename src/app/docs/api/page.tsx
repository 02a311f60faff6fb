// The API reference, rendered on the server from the same OpenAPI document the API publishes: no client script.
import type { Metadata } from 'next'
import Link from 'next/link'
import { config } from '@/server/config'
import { buildOpenApiDocument } from '@/server/operations/openapi'
import styles from './docs.module.css'

export const metadata: Metadata = { title: 'API reference' }

type Schema = { type?: string | string[]; $ref?: string; properties?: Record<string, Schema>; required?: string[]; [k: string]: unknown }
type Parameter = { name: string; in: string; required: boolean; description?: string; schema?: Schema }
type OperationDoc = {
  operationId: string
  summary: string
  description: string
  parameters: Parameter[]
  /** JSON for most operations; multipart/form-data for an upload. */
  requestBody?: { content: Record<string, { schema?: Schema }> }
  responses: Record<string, { description: string }>
}

const typeName = (s: Schema) => (s.$ref ? (s.$ref.split('/').pop() ?? '') : Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any'))

function constraints(s: Schema): string {
  const parts: string[] = []
  for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'default', 'format'] as const) {
    if (s[key] !== undefined) parts.push(`${key} ${JSON.stringify(s[key])}`)
  }
  return parts.join(', ')
}

/** The request body's media type, if the operation takes one. */
const bodyMedia = (op: OperationDoc): string | undefined => Object.keys(op.requestBody?.content ?? {})[0]

function curlFor(base: string, method: string, path: string, op: OperationDoc): string {
  const url = `${base}${path.replace('{id}', '$PROJECT_ID').replace('{fileId}', '$FILE_ID')}`
  const lines = [`curl -i${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} "${url}"`, '  -H "Authorization: Bearer $TWOFOLD_TOKEN"']
  const media = bodyMedia(op)
  if (media === 'multipart/form-data') lines.push('  -F file=@report.pdf')
  else if (media) lines.push(`  -H "Content-Type: ${media}"`, `  -d '{"name":"Launch plan"}'`)
  return lines.join(' \\\n')
}

function FieldTable({ schema }: { schema: Schema }) {
  const properties = Object.entries(schema.properties ?? {})
  if (!properties.length) return <p className={styles.muted}>{typeName(schema)}</p>
  return (
    <table className={styles.table}>
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Required</th>
          <th>Constraints</th>
        </tr>
      </thead>
      <tbody>
        {properties.map(([name, field]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
            </td>
            <td>{typeName(field)}</td>
            <td>{schema.required?.includes(name) ? 'yes' : 'no'}</td>
            <td>{constraints(field)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export default function ApiDocsPage() {
  const base = config().appUrl
  const document = buildOpenApiDocument(undefined, { serverUrl: base })
  const schemas = document.components.schemas as Record<string, Schema>
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, OperationDoc>).map(([method, op]) => ({ path, method, op })),
  )
  return (
    <main className={styles.docs}>
      <h1>API reference</h1>
      <p>
        Version {document.info.version}. Base URL <code>{base}</code>. The machine-readable contract is at{' '}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).
      </p>
      <section className={styles.intro}>
        <h2>Essentials</h2>
        <ul>
          <li>
            <strong>Authentication.</strong> In the <Link href="/dashboard">app</Link>, open the workspace the token is for and create one
            under API tokens in its menu; send it as <code>Authorization: Bearer tf_…</code>. Cookies are not accepted. Each operation names
            the scope the token must carry.
          </li>
          <li>
            <strong>Workspaces and roles.</strong> A token belongs to the workspace it was made in and sees only that workspace’s data:
            another workspace’s object is a 404, as if it did not exist. It acts with the role its creator holds there now (owner, admin or
            member), read on every request: each operation names the least role it needs (<code>x-twofold-role</code> in the contract), and
            a lower one is a 403. Demote the person and their tokens can do less at once; remove them and their tokens stop working (401).{' '}
            <a href="#workspace.get">GET /api/v1/workspace</a> says which workspace a token is in, and its role.
          </li>
          <li>
            <strong>Errors</strong> are <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>, a{' '}
            <code>requestId</code> and, for 422, the messages per field in <code>errors</code>.
          </li>
          <li>
            <strong>Rate limits</strong> are per token (per IP without one, and for a method a path does not serve): every 2xx, 3xx and 4xx
            answer carries <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; 429 says how
            long to wait in <code>Retry-After</code>. The CORS preflight and this document are not counted.
          </li>
          <li>
            <strong>CORS.</strong> Any origin may call the API from a browser (<code>Access-Control-Allow-Origin: *</code>, no credentials:
            the token is the only credential). Scripts can read <code>ETag</code>, <code>Location</code>, <code>Link</code>, the rate-limit
            headers, <code>Retry-After</code> and <code>X-Request-Id</code>.
          </li>
          <li>
            <strong>Pagination</strong> is by cursor: follow <code>next</code> in the body (or the <code>Link</code> header) until it is
            null.
          </li>
          <li>
            <strong>Caching and concurrency.</strong> Reads carry an <code>ETag</code>: send it in <code>If-None-Match</code> for a 304, or
            in <code>If-Match</code> on PATCH and DELETE to get 412 instead of overwriting someone else’s change.
          </li>
        </ul>
      </section>
      {operations.map(({ path, method, op }) => (
        <section key={op.operationId} id={op.operationId} className={styles.operation}>
          <h2>
            <span className={`${styles.method} ${styles[method] ?? ''}`}>{method.toUpperCase()}</span> <code>{path}</code>
          </h2>
          <p>
            {op.summary}. {op.description}
          </p>
          {op.parameters.length > 0 && (
            <>
              <h3>Parameters</h3>
              <table className={styles.table}>
                <tbody>
                  {op.parameters.map((p) => (
                    <tr key={`${p.in}-${p.name}`}>
                      <td>
                        <code>{p.name}</code>
                      </td>
                      <td>{p.in}</td>
                      <td>{p.required ? 'required' : 'optional'}</td>
                      <td>{[p.description, p.schema && constraints(p.schema)].filter(Boolean).join('; ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {op.requestBody && (
            <>
              <h3>Body ({bodyMedia(op) === 'application/json' ? 'JSON' : bodyMedia(op)})</h3>
              {Object.entries(op.requestBody.content).map(
                ([type, media]) => media.schema && <FieldTable key={type} schema={media.schema} />,
              )}
            </>
          )}
          <h3>Responses</h3>
          <ul className={styles.responses}>
            {Object.entries(op.responses).map(([status, response]) => (
              <li key={status}>
                <code>{status}</code> {response.description}
              </li>
            ))}
          </ul>
          <pre className={styles.example}>{curlFor(base, method, path, op)}</pre>
        </section>
      ))}
      <section className={styles.operation}>
        <h2>Schemas</h2>
        {Object.entries(schemas)
          .filter(([name]) => name !== 'Problem')
          .map(([name, schema]) => (
            <div key={name}>
              <h3 id={`schema-${name}`}>{name}</h3>
              <FieldTable schema={schema} />
            </div>
          ))}
      </section>
    </main>
  )
}
