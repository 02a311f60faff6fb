// The OpenAPI document of the public API as a response: public, cacheable, generated from the operation registry
// once per process. Served by both entries (src/app/api/v1/openapi.json and the API-only server).
import { config } from '../config'
import { applyCorsHeaders } from '../http/cors'
import { log } from '../log'
import { logged } from '../transports/api-call'
import { buildOpenApiDocument } from '../transports/openapi'

let body: string | undefined

/** GET /api/v1/openapi.json, with the access line every API answer gets. */
export function openApiDocument(request: Request): Promise<Response> {
  return logged(request, 'openapi.json', log, async () => documentResponse())
}

function documentResponse(): Response {
  body ??= JSON.stringify(buildOpenApiDocument(undefined, { serverUrl: config().appUrl }))
  const headers = applyCorsHeaders(new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' }))
  return new Response(body, { headers })
}
