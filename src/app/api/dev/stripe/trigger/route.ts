// Development only: `npm run stripe:trigger` asks the app to play Stripe's part against the stand-in (billing/simulator.ts).
import { devStripeTrigger } from '@/server/billing/webhook-route'

export const dynamic = 'force-dynamic'

export const POST = devStripeTrigger
