// The OpenAPI document (src/server/runtime/openapi-route.ts).
import { openApiDocument } from '@/server/runtime/openapi-route'

export const GET = openApiDocument

// Every answer depends on the request: dynamic, so Next hands the handler the request itself, not a proxy that
// watches each read to decide whether the route could be static (see docs/architecture.md, "The API's hot path").
export const dynamic = 'force-dynamic'
