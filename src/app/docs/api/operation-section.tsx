// One operation of the reference: what it does and who may call it, its parameters and body, its answers, examples
// generated from its schemas, a curl command and a typed-client call, and "Try it".

import styles from './docs.module.css'
import { problemExample, requestExample, successExample } from './examples'
import { inlineMarkdown, Markdown } from './markdown'
import { bodyMediaOf, type JsonSchema, type Parameter, type ReferenceOperation } from './reference'
import { constraintsOf, SchemaTable, TypeName } from './schema-table'
import { curlSnippet, typedClientSnippet } from './snippets'
import { TryIt, type TryItField, type TryItProps } from './try-it'

export function MethodBadge({ method }: { method: string }) {
  return <span className={`${styles.method} ${styles[method.toLowerCase()] ?? ''}`}>{method}</span>
}

function CodeBlock({ title, code, language }: { title: string; code: string; language: string }) {
  return (
    <figure className={styles.code}>
      <figcaption>{title}</figcaption>
      <pre data-language={language}>
        <code>{code}</code>
      </pre>
    </figure>
  )
}

function ParameterTable({ parameters }: { parameters: Parameter[] }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">In</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {parameters.map((p) => (
            <tr key={`${p.in}-${p.name}`}>
              <td>
                <code>{p.name}</code>
                {p.required ? <span className={styles.required}> required</span> : null}
              </td>
              <td>{p.in}</td>
              <td>{p.schema ? <TypeName schema={p.schema} /> : null}</td>
              <td>
                {p.description ? inlineMarkdown(p.description) : null}
                {p.description && p.schema && constraintsOf(p.schema) ? '; ' : null}
                {p.schema && constraintsOf(p.schema) ? <span className={styles.muted}>{constraintsOf(p.schema)}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** What the try-it form asks for: the path's ids, the query's options, the body. */
function tryItProps(entry: ReferenceOperation, example: string | undefined): TryItProps {
  const field = (p: Parameter): TryItField => ({
    name: p.name,
    label: `${p.name} (${p.in}${p.required ? '' : ', optional'})`,
    required: p.required,
    placeholder: p.description ?? (p.schema?.default !== undefined ? String(p.schema.default) : undefined),
  })
  const media = bodyMediaOf(entry.op)
  return {
    method: entry.method,
    path: entry.path,
    pathFields: entry.op.parameters.filter((p) => p.in === 'path').map(field),
    queryFields: entry.op.parameters.filter((p) => p.in === 'query').map(field),
    headerFields: entry.op.parameters.filter((p) => p.in === 'header').map(field),
    body: media === 'application/json' ? { media, example: example ?? '{}' } : media === 'multipart/form-data' ? { media } : null,
  }
}

export function OperationSection({
  entry,
  schemas,
  baseUrl,
}: {
  entry: ReferenceOperation
  schemas: Record<string, JsonSchema>
  baseUrl: string
}) {
  const { op, method, path, success } = entry
  const request = requestExample(entry, schemas)
  const answer = successExample(entry, schemas)
  const problem = problemExample(entry)
  const bodySchema = Object.values(op.requestBody?.content ?? {})[0]?.schema
  const successSchema = Object.values(success.response.content ?? {})[0]
  const headingId = `${op.operationId}-heading`
  return (
    <section id={op.operationId} aria-labelledby={headingId} className={styles.operation}>
      <h3 id={headingId} className={styles.operationHeading}>
        <MethodBadge method={method} /> <code>{path}</code>
      </h3>
      <p className={styles.summary}>{op.summary}</p>
      <Markdown text={op.description} className={styles.prose} />

      {op.parameters.length > 0 && (
        <>
          <h4>Parameters</h4>
          <ParameterTable parameters={op.parameters} />
        </>
      )}
      {bodySchema && (
        <>
          <h4>Request body ({bodyMediaOf(op)})</h4>
          <SchemaTable schema={bodySchema} schemas={schemas} />
        </>
      )}

      <h4>Responses</h4>
      <ul className={styles.responses}>
        {Object.entries(op.responses).map(([status, response]) => (
          <li key={status}>
            <code className={Number(status) < 400 ? styles.ok : styles.error}>{status}</code> {inlineMarkdown(response.description)}
            {status === String(success.status) && successSchema?.schema && successSchema.schema.format !== 'binary' && (
              <>
                {' '}
                (<TypeName schema={successSchema['x-event-data'] ?? successSchema.schema} />)
              </>
            )}
          </li>
        ))}
      </ul>

      <h4>Examples</h4>
      <div className={styles.pair}>
        {request && <CodeBlock title={`Request body (${request.media})`} code={request.text} language="json" />}
        <CodeBlock
          title={`Response ${success.status}${answer ? ` (${answer.media})` : ''}`}
          code={answer?.text ?? '(no body)'}
          language="json"
        />
        <CodeBlock title={`Error ${problem.status} (application/problem+json)`} code={problem.text} language="json" />
      </div>

      <h4>Code</h4>
      <div className={styles.stack}>
        <CodeBlock title="curl" code={curlSnippet(entry, baseUrl, schemas)} language="shell" />
        <CodeBlock title="TypeScript (openapi-fetch)" code={typedClientSnippet(entry, schemas)} language="typescript" />
      </div>

      <details className={styles.tryIt}>
        <summary>Try it</summary>
        <TryIt {...tryItProps(entry, request?.media === 'application/json' ? request.text : undefined)} />
      </details>
    </section>
  )
}
