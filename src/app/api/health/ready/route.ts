// Readiness (src/server/http/health.ts).
import { readiness } from '@/server/runtime/health'

export const dynamic = 'force-dynamic'

export const GET = readiness
