// The project page's download link (session cookie): see src/server/transports/app-file-routes.ts.
import { appFiles } from '@/server/runtime/api'

export const { GET } = appFiles

export const dynamic = 'force-dynamic'
