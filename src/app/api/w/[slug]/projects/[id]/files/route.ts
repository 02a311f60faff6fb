// The project page's upload (session cookie, same origin): see src/server/operations/app-file-routes.ts.
export { POST } from '@/server/operations/app-file-routes'

export const dynamic = 'force-dynamic'
