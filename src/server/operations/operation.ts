// An operation is declared once — input and output schemas, who may call it, its HTTP shape as data — and served by
// every transport (src/server/transports): server actions, the API's JSON, file and event-stream routes, the API-only
// router and the OpenAPI document. A declaration imports services only, never a transport.
import type { z } from 'zod'
import type { Role, Scope, ServiceContext } from '../services/context'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type HttpShape<O> = {
  method: HttpMethod
  /** OpenAPI-style template, e.g. /api/v1/projects/{id}; each {param} becomes an input field. */
  path: string
  /** Success status: 200, 201 (with Location) or 204 (no body). */
  status: 200 | 201 | 204
  /** For 201: where the created resource lives. */
  location?(output: O): string
  /** Responses carry a strong ETag from the output's version; GET honours If-None-Match. */
  etagVersion?(output: O): number
  /** If-Match is honoured: its version is passed to the service as `expectedVersion`. */
  ifMatch?: boolean
  /** The output is a page: a Link rel="next" header and a `next` URL are added from its cursor. */
  paginated?: boolean
  /**
   * What the request carries: JSON (the default for POST, PUT and PATCH; GET and DELETE take the query), or a
   * multipart/form-data form whose file part streams to the operation as `name` and `body`, never held whole.
   */
  body?: 'json' | 'multipart'
  /** What the answer is: the output as JSON (the default), the bytes of a stored file, or Server-Sent Events. */
  answer?: 'json' | 'bytes' | 'events'
  /** For a multipart body: the service that checks the caller's right to the path's resource with the body unread. */
  beforeBody?(ctx: ServiceContext, params: Record<string, string>): Promise<void>
  /** For events: what each event's data is (JSON), for the OpenAPI document. */
  eventData?: z.ZodType
  /**
   * Also accept the app's session cookie, from the app's own origin only (the dashboard's live feed); the workspace
   * is then named by `?workspace=slug` and checked by membership like any other session call.
   */
  sessions?: boolean
  /** Request headers that are input fields, by field: `{ lastEventId: 'last-event-id' }`. */
  headers?: Record<string, string>
}

export type Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  /** Stable machine name, `domain.verb`: the OpenAPI operationId and the log label. */
  name: string
  summary: string
  /** Said in the OpenAPI document beside who may call it (Markdown). */
  description?: string
  tag: string
  input: I
  /** Shapes every response: fields not in the schema never leave the server. */
  output: O
  /** Every operation needs a signed-in user; `scope` is what an API token must also carry (null: any token). */
  scope: Scope | null
  /**
   * The least workspace role the caller needs (null: the operation is not about one workspace). The service checks
   * it against the database on every call; it is declared here for the docs and the generated authorization tests,
   * which prove the two agree.
   */
  role: Role | null
  /** How the public API serves it; absent for operations only the app's own UI may call (e.g. minting tokens). */
  http?: HttpShape<z.output<O>>
  // Declared as a method so that a list of operations of different types is a list of `Operation`.
  run(ctx: ServiceContext, input: z.output<I>): Promise<z.input<O>>
}

export function operation<I extends z.ZodType, O extends z.ZodType>(def: Operation<I, O>): Operation<I, O> {
  return def
}
