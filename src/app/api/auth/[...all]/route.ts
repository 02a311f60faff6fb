// Better Auth's HTTP endpoints, limited to the allowlist in src/server/auth/http-surface.ts; the app's own forms
// use server actions.
import { authHttpHandler } from '@/server/auth/http-surface'
import { getRuntime } from '@/server/runtime'

async function handle(request: Request): Promise<Response> {
  const { auth } = await getRuntime()
  return authHttpHandler(auth)(request)
}

export { handle as GET, handle as POST }
