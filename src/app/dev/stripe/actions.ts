'use server'
// The simulator's buttons (against the stand-in only): pay a Checkout Session, and, from the simulated customer portal,
// what Stripe does by itself later — a renewal that fails, a retry that succeeds, a cancellation. Each changes the
// stand-in and delivers the signed event to our webhook; the app learns of it only through that event. The action
// then waits for the billing worker to apply it, so the billing page it returns to shows the outcome.
import { redirect } from 'next/navigation'
import { z } from 'zod'
import { completeCheckout, triggerEvent, waitUntilApplied } from '@/server/billing/simulator'
import { BadRequest, ValidationError } from '@/server/errors'
import type { ActionResult } from '@/server/http/action-result'
import { submittedFormInput } from '@/server/operations/form-values'
import { actionFailure, sessionContext } from '@/server/operations/next'
import { requireUserId } from '@/server/services/context'
import { checkoutFor, customerWorkspace, PORTAL_EVENTS, simulator } from './simulator'

const PayInput = z.object({ session: z.string().min(1).max(200) })
const PortalInput = z.object({ customer: z.string().min(1).max(200), event: z.enum(PORTAL_EVENTS) })

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw ValidationError.fromZod(parsed.error)
  return parsed.data
}

export async function payCheckoutAction(_previous: ActionResult<null> | null, submitted: FormData): Promise<ActionResult<null>> {
  let raw: unknown = {}
  let back: string
  try {
    raw = submittedFormInput(submitted)
    const { session: id } = parse(PayInput, raw)
    const deps = await simulator()
    const ctx = await sessionContext()
    requireUserId(ctx.actor)
    const { session, workspace } = await checkoutFor(ctx, deps, id)
    const result = await completeCheckout(deps, session)
    if (result.webhookStatus !== 200) throw new BadRequest(`Our webhook answered ${result.webhookStatus}: see the server log.`)
    await waitUntilApplied(deps.db, result.eventId)
    back = session.success_url ?? `/w/${workspace.slug}/settings/billing`
  } catch (thrown) {
    return actionFailure(thrown, raw, 'dev.stripe.pay')
  }
  redirect(back)
}

export async function simulatePortalEventAction(_previous: ActionResult<null> | null, submitted: FormData): Promise<ActionResult<null>> {
  let raw: unknown = {}
  let back: string
  try {
    raw = submittedFormInput(submitted)
    const { customer, event } = parse(PortalInput, raw)
    const deps = await simulator()
    const ctx = await sessionContext()
    requireUserId(ctx.actor)
    const workspace = await customerWorkspace(ctx, deps, customer)
    const result = await triggerEvent(deps, { event, workspace: workspace.slug })
    if (result.webhookStatus !== 200) throw new BadRequest(`Our webhook answered ${result.webhookStatus}: see the server log.`)
    await waitUntilApplied(deps.db, result.eventId)
    back = `/w/${workspace.slug}/settings/billing`
  } catch (thrown) {
    return actionFailure(thrown, raw, 'dev.stripe.portal')
  }
  redirect(back)
}
