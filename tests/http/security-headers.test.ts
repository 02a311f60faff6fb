// The headers every page and API answer carries, through real HTTP against the production server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../support/server'

let server: RunningServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.stop()
})

const nonceOf = (policy: string | null) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy ?? '')?.[1]

describe('Content-Security-Policy', () => {
  it('gives each page a fresh nonce that is on every script Next renders, and forbids framing', async () => {
    const [first, second] = await Promise.all([fetch(`${server.url}/sign-in`), fetch(`${server.url}/sign-in`)])
    const policy = first.headers.get('content-security-policy')
    expect(policy).toContain("script-src 'self' 'nonce-")
    expect(policy).toContain("'strict-dynamic'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).not.toContain('unsafe-inline')
    expect(policy).not.toContain('unsafe-eval')
    const nonce = nonceOf(policy)
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    expect(nonceOf(second.headers.get('content-security-policy'))).not.toBe(nonce)

    const html = await first.text()
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`)
  })

  it('sends API answers a policy that forbids everything, and no HSTS over http', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`)
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('strict-transport-security')).toBeNull()
    expect((await fetch(`${server.url}/sign-in`)).headers.get('strict-transport-security')).toBeNull()
  })

  it('adds HSTS and upgrade-insecure-requests when APP_URL is https', async () => {
    const behindTls = await startServer({ env: { APP_URL: 'https://app.example.test' } })
    try {
      const response = await fetch(`${behindTls.url}/sign-in`)
      expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains')
      expect(response.headers.get('content-security-policy')).toContain('upgrade-insecure-requests')
    } finally {
      await behindTls.stop()
    }
  })
})
