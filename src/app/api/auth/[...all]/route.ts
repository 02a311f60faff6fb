// Better Auth's HTTP endpoints, limited to the allowlist in src/server/auth/http-surface.ts; the app's own forms
// use server actions.
import { authHttpHandler } from '@/server/auth/http-surface'
import { getRuntime } from '@/server/runtime'

async function handle(request: Request): Promise<Response> {
  const { auth } = await getRuntime()
  return authHttpHandler(auth)(request)
}

export { handle as GET, handle as POST }

// Every answer depends on the request: dynamic, so Next hands the handler the request itself, not a proxy that
// watches each read to decide whether the route could be static (see docs/architecture.md, "The API's hot path").
export const dynamic = 'force-dynamic'
