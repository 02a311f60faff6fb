// The OpenAPI document of the public API: public, cacheable, generated from the operation registry.
import { config } from '@/server/config'
import { applyCorsHeaders } from '@/server/http/cors'
import { buildOpenApiDocument } from '@/server/operations/openapi'

let body: string | undefined

export function GET() {
  body ??= JSON.stringify(buildOpenApiDocument(undefined, { serverUrl: config().appUrl }))
  const headers = applyCorsHeaders(new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' }))
  return new Response(body, { headers })
}
