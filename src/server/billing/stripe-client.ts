// The app's one Stripe client factory: the API version pinned, the key from the configuration, made on demand.
import Stripe from 'stripe'
import type { StripeConfig } from '../config'
import type { StripeAccess } from '../services/context'

/**
 * Written out rather than left to the SDK's default: a minor release of `stripe` moves its default API version, and
 * the shapes we read (a subscription's period on its items, an invoice's subscription under `parent`) move with it.
 * Typed as the SDK's own pinned version, so upgrading the package without revisiting this line fails to compile.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive'

export type StripeClientOptions = {
  /** Retries of a failed network call inside one SDK call; the billing worker retries whole events besides. */
  maxNetworkRetries?: number
  timeoutMs?: number
}

/**
 * A client for the configured account, or null when Stripe is not configured (no STRIPE_SECRET_KEY): callers say
 * "not configured" rather than crash. Nothing is sent until a method is called, so building one at start (or
 * during `next build`) calls no one.
 */
export function createStripeClient(cfg: StripeConfig | null, options: StripeClientOptions = {}): Stripe | null {
  if (!cfg) return null
  return new Stripe(cfg.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
    ...(cfg.apiUrl ? apiOrigin(cfg.apiUrl) : {}),
  })
}

/** The SDK's host/port/protocol options for another API origin (the local stand-in). */
export function apiOrigin(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const parsed = new URL(url)
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http'
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 80, protocol }
}

const accessByConfig = new WeakMap<StripeConfig, StripeAccess>()

/**
 * What the billing operations receive in their context (ServiceContext.stripe): one client per configuration, made on
 * first use and kept, so a request builds nothing. Null when Stripe is not configured.
 */
export function stripeAccess(cfg: StripeConfig | null): StripeAccess | null {
  if (!cfg) return null
  let access = accessByConfig.get(cfg)
  if (!access) {
    const client = createStripeClient(cfg)
    if (!client) return null
    access = { client, pricePro: cfg.pricePro }
    accessByConfig.set(cfg, access)
  }
  return access
}
