// The OpenAPI document (src/server/operations/openapi-route.ts).
import { openApiDocument } from '@/server/operations/openapi-route'

export const GET = openApiDocument
