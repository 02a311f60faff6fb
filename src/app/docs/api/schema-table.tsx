// A schema's fields as a table (name, type, required, what it is), types linked to the reference's Schemas section.
import type { ReactNode } from 'react'
import styles from './docs.module.css'
import { inlineMarkdown } from './markdown'
import { type JsonSchema, refName } from './reference'

export const schemaAnchor = (name: string) => `schema-${name}`

/** A type as a reader says it: `Project`, `Project[]`, `string | null`, `"owner" | "admin" | "member"`. */
export function TypeName({ schema }: { schema: JsonSchema }): ReactNode {
  if (schema.$ref) {
    const name = refName(schema.$ref)
    return <a href={`#${schemaAnchor(name)}`}>{name}</a>
  }
  const variants = schema.anyOf ?? schema.oneOf
  if (variants) return joined(variants.map((variant) => <TypeName key={variant.$ref ?? JSON.stringify(variant)} schema={variant} />))
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ')
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.type === 'array' && schema.items) return <>{<TypeName schema={schema.items} />}[]</>
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any')
  return schema.format && !['int32', 'int64'].includes(schema.format) ? `${type} (${schema.format})` : type
}

function joined(nodes: ReactNode[]): ReactNode {
  return nodes.flatMap((node, i) => (i ? [' | ', node] : [node]))
}

const CONSTRAINTS = ['minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum', 'maxItems', 'default'] as const

/** The limits a value must keep, in words short enough for a table cell. */
export function constraintsOf(schema: JsonSchema): string {
  return CONSTRAINTS.filter((key) => schema[key] !== undefined)
    .map((key) => `${key} ${JSON.stringify(schema[key])}`)
    .join(', ')
}

export function SchemaTable({ schema, schemas }: { schema: JsonSchema; schemas: Record<string, JsonSchema> }) {
  const target = schema.$ref ? schemas[refName(schema.$ref)] : schema
  const properties = Object.entries(target?.properties ?? {})
  if (!target || !properties.length) {
    return (
      <p className={styles.muted}>
        <TypeName schema={schema} />
      </p>
    )
  }
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table}>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {properties.map(([name, field]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
                {target.required?.includes(name) ? <span className={styles.required}> required</span> : null}
              </td>
              <td>
                <TypeName schema={field} />
              </td>
              <td>
                {field.description ? inlineMarkdown(field.description) : null}
                {field.description && constraintsOf(field) ? '; ' : null}
                {constraintsOf(field) ? <span className={styles.muted}>{constraintsOf(field)}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
