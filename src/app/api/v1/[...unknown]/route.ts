// Any /api/v1 path no operation serves: a 404 problem, counted and logged like every API answer (Next's own 404 page
// would be HTML). Next matches every other route file first.
import { unknownApiPath } from '@/server/runtime/api'

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownApiPath

export const dynamic = 'force-dynamic'
