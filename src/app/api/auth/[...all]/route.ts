// Better Auth's own endpoints (sessions, callbacks). The app's forms use server actions; this serves clients and callbacks.
import { getRuntime } from '@/server/runtime'

async function handle(request: Request): Promise<Response> {
  const { auth } = await getRuntime()
  return auth.handler(request)
}

export { handle as GET, handle as POST }
