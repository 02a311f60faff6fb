// The project page's upload (session cookie, same origin): see src/server/transports/app-file-routes.ts.
import { appFiles } from '@/server/runtime/api'

export const { POST } = appFiles

export const dynamic = 'force-dynamic'
