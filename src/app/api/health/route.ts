// Liveness (src/server/http/health.ts).
import { liveness } from '@/server/http/health'

export const dynamic = 'force-dynamic'

export const GET = liveness
