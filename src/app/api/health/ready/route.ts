// Readiness (src/server/http/health.ts).
import { readiness } from '@/server/http/health'

export const dynamic = 'force-dynamic'

export const GET = readiness
