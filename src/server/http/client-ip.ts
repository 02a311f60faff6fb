// The client address that per-IP limits (anonymous API calls, sign-ins, sign-ups) are counted against.
import { isIP } from 'node:net'
import { config, type TrustProxy } from '../config'

/**
 * Set by server.js on every request, overwriting whatever the client sent: the connection's remote address.
 * Absent under `next dev`, which has no such entry point.
 */
export const PEER_ADDRESS_HEADER = 'x-twofold-peer-address'

/** When no trustworthy address can be had, every such caller shares one bucket: that fails safe, never open. */
export const UNKNOWN_CLIENT = 'unknown'

/**
 * The address the request came from. The chain is X-Forwarded-For's entries followed by the connection's peer; only
 * entries added by trusted proxies are believed, so a client cannot choose its own rate-limit bucket by sending
 * the header itself. Walking from the right, trusted hops are skipped and the first remaining entry is the client.
 */
export function clientIp(headers: Headers, trust: TrustProxy = config().trustProxy): string {
  const peer = canonicalIp(headers.get(PEER_ADDRESS_HEADER))
  if (peer === null) return UNKNOWN_CLIENT
  if (trust.kind === 'none') return peer
  const forwarded = (headers.get('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim())
  const chain = [...forwarded.filter((entry) => entry !== ''), peer]
  if (trust.kind === 'hops') {
    // Fewer entries than trusted hops: every entry was written by a trusted hop, so the left-most is genuine.
    return canonicalIp(chain[Math.max(0, chain.length - 1 - trust.hops)]) ?? UNKNOWN_CLIENT
  }
  for (let index = chain.length - 1; index >= 0; index--) {
    const address = canonicalIp(chain[index])
    // Anything left of the last trusted hop that is not an address was written by the client: believe nothing.
    if (address === null) return UNKNOWN_CLIENT
    if (index === 0 || !trust.trusted.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')) return address
  }
  return UNKNOWN_CLIENT
}

const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/**
 * One spelling per address, so that `::1` and `0:0:0:0:0:0:0:1`, or `1.2.3.4` and `::ffff:1.2.3.4` (how a dual-stack
 * socket reports IPv4 peers), count as the same client. Null for anything that is not an IP address.
 */
export function canonicalIp(value: string | null | undefined): string | null {
  const address = value?.trim() ?? ''
  const family = isIP(address)
  if (family === 4) return address
  if (family !== 6 || address.includes('%')) return null
  // The URL parser compresses and lower-cases IPv6 and writes an embedded IPv4 part in hex.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  const mapped = MAPPED_IPV4.exec(canonical)
  if (!mapped) return canonical
  const [high, low] = [Number.parseInt(mapped[1] ?? '0', 16), Number.parseInt(mapped[2] ?? '0', 16)]
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}
