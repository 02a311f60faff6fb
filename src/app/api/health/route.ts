// Liveness (src/server/http/health.ts).
import { liveness } from '@/server/runtime/health'

export const dynamic = 'force-dynamic'

export const GET = liveness
