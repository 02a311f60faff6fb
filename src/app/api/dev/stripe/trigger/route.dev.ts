// Development only (a *.dev.ts route: `next dev` compiles it, a production build has no such route): what
// `npm run stripe:trigger` calls. The work is in src/dev/stripe/trigger.ts.
import { devStripeTrigger } from '@/dev/stripe/trigger'

export const dynamic = 'force-dynamic'

export const POST = devStripeTrigger
