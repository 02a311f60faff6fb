// An operation is declared once — input and output schemas, who may call it, its HTTP shape — and
// adapted to each transport: toAction (server actions), toRoute (route handlers), and the OpenAPI document.
import type { z } from 'zod'
import type { Role, Scope, ServiceContext } from '../services/context'
import type { RouteDeps, RouteHandler } from './to-route'

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
   * For a body or an answer that is a stream rather than JSON (an upload, a download): the route adapter that serves
   * it instead of toRoute (operations/to-file-route.ts), and what the OpenAPI document says it carries.
   */
  stream?: {
    adapter(op: Operation, deps: RouteDeps): RouteHandler
    request?: 'multipart/form-data'
    response?: 'bytes'
    /** What the adapter checks before it reads a byte of the body (the caller's right to the path's resource). */
    authorize?(ctx: ServiceContext, params: Record<string, string>): Promise<void>
  }
}

export type Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  /** Stable machine name, `domain.verb`: the OpenAPI operationId and the log label. */
  name: string
  summary: string
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
