// The project page's download link (session cookie): see src/server/operations/app-file-routes.ts.
export { GET } from '@/server/operations/app-file-routes'

export const dynamic = 'force-dynamic'
