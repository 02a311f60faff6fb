// Which address a request is counted against: the connection's peer unless a trusted proxy vouches for another.
import { describe, expect, test } from 'vitest'
import { parseTrustProxy, type TrustProxy } from '../../src/server/config'
import { canonicalIp, clientIp } from '../../src/server/http/client-ip'

function trust(value: string): TrustProxy {
  const parsed = parseTrustProxy(value)
  if ('invalid' in parsed) throw new Error(`bad test setup: ${value}`)
  return parsed
}

function request(peer: string | null, forwardedFor?: string): Headers {
  const headers = new Headers()
  if (peer !== null) headers.set('x-twofold-peer-address', peer)
  if (forwardedFor !== undefined) headers.set('x-forwarded-for', forwardedFor)
  return headers
}

describe('the client address', () => {
  test.each<[string, string, string | null, string | undefined, string]>([
    // No proxy trusted: X-Forwarded-For is the client's own claim and is ignored.
    ['none', '', '203.0.113.7', undefined, '203.0.113.7'],
    ['none: a spoofed header changes nothing', '', '203.0.113.7', '198.51.100.1', '203.0.113.7'],
    ['none: an IPv4 peer on a dual-stack socket', '', '::ffff:203.0.113.7', undefined, '203.0.113.7'],
    ['none: no peer header (next dev) shares one bucket', '', null, '198.51.100.1', 'unknown'],
    ['none: a garbage peer shares one bucket', '', 'not-an-ip', undefined, 'unknown'],
    ['"0" hops is no proxy', '0', '203.0.113.7', '198.51.100.1', '203.0.113.7'],
    // N hops: the peer and N-1 entries are proxies; the entry before them is the client.
    ['1 hop: the entry the proxy appended', '1', '10.0.0.2', '198.51.100.1', '198.51.100.1'],
    ['1 hop: the client prepends a lie, the proxy appends the truth', '1', '10.0.0.2', '6.6.6.6, 198.51.100.1', '198.51.100.1'],
    ['1 hop: no header (a direct connection) is the peer', '1', '203.0.113.7', undefined, '203.0.113.7'],
    ['2 hops', '2', '10.0.0.2', '6.6.6.6, 198.51.100.1, 10.0.0.3', '198.51.100.1'],
    ['2 hops with fewer entries: the left-most', '2', '10.0.0.2', '198.51.100.1', '198.51.100.1'],
    ['1 hop: the chosen entry is not an address', '1', '10.0.0.2', '198.51.100.1, evil', 'unknown'],
    ['1 hop: empty entries are dropped', '1', '10.0.0.2', '198.51.100.1, ,', '198.51.100.1'],
    ['1 hop: no peer header still fails safe', '1', null, '198.51.100.1', 'unknown'],
    ['1 hop: IPv6 is written one way', '1', '10.0.0.2', '2001:DB8:0:0::1', '2001:db8::1'],
    // Trusted addresses: walk from the right past every trusted hop.
    ['cidr: the first untrusted from the right', '10.0.0.0/8', '10.0.0.2', '6.6.6.6, 198.51.100.1, 10.1.2.3', '198.51.100.1'],
    ['cidr: an untrusted peer is the client, whatever it claims', '10.0.0.0/8', '203.0.113.7', '198.51.100.1', '203.0.113.7'],
    ['cidr: a single trusted address', '127.0.0.1', '::ffff:127.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['cidr: garbage left of the trusted hops', '10.0.0.0/8', '10.0.0.2', '198.51.100.1:443', 'unknown'],
    ['cidr: everything trusted gives the left-most', '10.0.0.0/8', '10.0.0.2', '10.9.9.9', '10.9.9.9'],
    ['cidr: IPv6 ranges', 'fd00::/8', 'fd00::2', '2001:db8::7, fd12::1', '2001:db8::7'],
  ])('%s', (_name, trustValue, peer, forwardedFor, expected) => {
    expect(clientIp(request(peer, forwardedFor), trust(trustValue))).toBe(expected)
  })

  test('defaults to the configured trust, which is none when TRUST_PROXY is unset', () => {
    expect(clientIp(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7')
  })
})

describe('one spelling per address', () => {
  test.each([
    ['192.0.2.1', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['fe80::1%eth0', null],
    ['192.0.2.1:8080', null],
    ['[::1]', null],
    ['01.2.3.4', null],
    ['unknown', null],
    ['', null],
    [null, null],
  ])('%j is %j', (value, expected) => {
    expect(canonicalIp(value)).toBe(expected)
  })
})
