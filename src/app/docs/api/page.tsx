// The API reference, rendered on the server from the same OpenAPI document the API publishes: a sidebar by tag and
// operation, examples generated from the schemas, curl and typed-client snippets. Everything but "Try it" (one small
// client island, try-it.tsx) is plain HTML, so the page reads the same without JavaScript.
import type { Metadata } from 'next'
import Link from 'next/link'
import { config } from '@/server/config'
import { buildOpenApiDocument } from '@/server/transports/openapi'
import styles from './docs.module.css'
import { Markdown } from './markdown'
import { MethodBadge, OperationSection } from './operation-section'
import { anchorOfTag, type Reference, referenceOf } from './reference'
import { SchemaTable, schemaAnchor } from './schema-table'
import { typedClientSetup } from './snippets'

export const metadata: Metadata = { title: 'API reference' }

const GUIDES = [
  { id: 'authentication', title: 'Authentication' },
  { id: 'errors', title: 'Errors' },
  { id: 'limits', title: 'Rate limits and CORS' },
  { id: 'paging', title: 'Paging and caching' },
  { id: 'typed-client', title: 'A typed client' },
  { id: 'try-it', title: 'Trying it here' },
]

/** A summary without its parenthesis, short enough for the sidebar: "Upload a file to a project (multipart…)". */
const shortSummary = (summary: string) => summary.replace(/\s*\(.*\)\s*$/, '')

/** The table of contents: the guides, then each tag with its operations, then the schemas. */
function Contents({ reference }: { reference: Reference }) {
  return (
    <ol className={styles.contents}>
      <li>
        <a href="#top">Overview</a>
        <ol>
          {GUIDES.map((guide) => (
            <li key={guide.id}>
              <a href={`#${guide.id}`}>{guide.title}</a>
            </li>
          ))}
        </ol>
      </li>
      {reference.tags.map((tag) => (
        <li key={tag.name}>
          <a href={`#${anchorOfTag(tag.name)}`}>{tag.name}</a>
          <ol>
            {tag.operations.map(({ op, method }) => (
              <li key={op.operationId}>
                <a href={`#${op.operationId}`} className={styles.operationLink}>
                  <MethodBadge method={method} /> <span>{shortSummary(op.summary)}</span>
                </a>
              </li>
            ))}
          </ol>
        </li>
      ))}
      <li>
        <a href="#schemas">Schemas</a>
      </li>
    </ol>
  )
}

export default function ApiDocsPage() {
  const base = config().appUrl
  const document = buildOpenApiDocument(undefined, { serverUrl: base })
  const reference = referenceOf(document)
  return (
    <main className={styles.docs}>
      {/* Phones get the contents as a disclosure at the top; wide screens a sticky sidebar. */}
      <details className={styles.phoneContents}>
        <summary>Contents</summary>
        <nav aria-label="API reference contents">
          <Contents reference={reference} />
        </nav>
      </details>
      <div className={styles.layout}>
        <nav aria-label="API reference" className={styles.sidebar}>
          <Contents reference={reference} />
        </nav>
        <div className={styles.content}>
          <h1 id="top">API reference</h1>
          <p className={styles.lead}>
            Version {document.info.version}. Base URL <code>{base}</code>. The machine-readable contract is at{' '}
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1); this page is rendered from it.
          </p>
          <Markdown text={document.info.description} className={styles.prose} />

          <section id="authentication" className={styles.guide}>
            <h2>Authentication</h2>
            <p>
              In the <Link href="/dashboard">app</Link>, open the workspace the token is for and create one under API tokens in its menu;
              send it as <code>Authorization: Bearer tf_…</code>. Cookies are not accepted. Each operation names the scope the token must
              carry.
            </p>
            <p>
              A token belongs to the workspace it was made in and sees only that workspace’s data: another workspace’s object is a 404, as
              if it did not exist. It acts with the role its creator holds there now (owner, admin or member), read on every request: each
              operation names the least role it needs (<code>x-twofold-role</code> in the contract), and a lower one is a 403. Demote the
              person and their tokens can do less at once; remove them and their tokens stop working (401).{' '}
              <a href="#workspace.get">GET /api/v1/workspace</a> says which workspace a token is in, and its role.
            </p>
          </section>
          <section id="errors" className={styles.guide}>
            <h2>Errors</h2>
            <p>
              Every error is an <code>application/problem+json</code> document (RFC 9457) with a stable <code>code</code>, the{' '}
              <code>requestId</code> that is also in the <code>X-Request-Id</code> header and the server log, and, for 422, the messages per
              field in <code>errors</code>. Each operation shows an example; the fields are listed under{' '}
              <a href={`#${schemaAnchor('Problem')}`}>Problem</a>.
            </p>
          </section>
          <section id="limits" className={styles.guide}>
            <h2>Rate limits and CORS</h2>
            <p>
              Limits are per token (per IP without one, and for a method a path does not serve): every 2xx, 3xx and 4xx answer carries{' '}
              <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; 429 says how long to wait in{' '}
              <code>Retry-After</code>. The CORS preflight and the OpenAPI document are not counted.
            </p>
            <p>
              Any origin may call the API from a browser (<code>Access-Control-Allow-Origin: *</code>, no credentials: the token is the only
              credential). Scripts can read <code>ETag</code>, <code>Location</code>, <code>Link</code>, the rate-limit headers,{' '}
              <code>Retry-After</code> and <code>X-Request-Id</code>.
            </p>
          </section>
          <section id="paging" className={styles.guide}>
            <h2>Paging and caching</h2>
            <p>
              Lists page by cursor: follow <code>next</code> in the body (or the <code>Link</code> header) until it is null. Reads carry an{' '}
              <code>ETag</code>: send it in <code>If-None-Match</code> for a 304, or in <code>If-Match</code> on PATCH and DELETE to get 412
              instead of overwriting someone else’s change.
            </p>
          </section>
          <section id="typed-client" className={styles.guide}>
            <h2>A typed client</h2>
            <p>
              Generate TypeScript types from the contract with openapi-typescript and call the API through openapi-fetch: paths, parameters,
              bodies and answers are then checked by the compiler. Each operation below shows its call on this <code>api</code>.
            </p>
            <pre className={styles.block}>
              <code>{typedClientSetup(base)}</code>
            </pre>
          </section>
          <section id="try-it" className={styles.guide}>
            <h2>Trying it here</h2>
            <p>
              Each operation has a “Try it” form (it needs JavaScript). Paste a token into any of them: the forms share it, this page keeps
              it in memory (in this tab’s sessionStorage only if you tick the box), and sends it only to this site’s own{' '}
              <code>/api/v1/</code>. The requests are real: a POST creates, a DELETE deletes.
            </p>
          </section>

          {reference.tags.map((tag) => (
            <section key={tag.name} id={anchorOfTag(tag.name)} aria-labelledby={`${anchorOfTag(tag.name)}-heading`} className={styles.tag}>
              <h2 id={`${anchorOfTag(tag.name)}-heading`}>{tag.name}</h2>
              <Markdown text={tag.description} className={styles.prose} />
              {tag.operations.map((entry) => (
                <OperationSection key={entry.op.operationId} entry={entry} schemas={reference.schemas} baseUrl={base} />
              ))}
            </section>
          ))}

          <section id="schemas" aria-labelledby="schemas-heading" className={styles.tag}>
            <h2 id="schemas-heading">Schemas</h2>
            {Object.entries(reference.schemas).map(([name, schema]) => (
              <div key={name} id={schemaAnchor(name)} className={styles.schema}>
                <h3>{name}</h3>
                {schema.description ? <Markdown text={schema.description} className={styles.prose} /> : null}
                <SchemaTable schema={schema} schemas={reference.schemas} />
              </div>
            ))}
          </section>
        </div>
      </div>
    </main>
  )
}
