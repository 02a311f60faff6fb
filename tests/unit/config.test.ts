// Configuration: a fresh clone needs none; production refuses to start without what it must have.
import { describe, expect, test } from 'vitest'
import { ConfigError, parseConfig } from '../../src/server/config'

describe('configuration', () => {
  test('no environment at all: development on embedded PGlite in .data/, demo account seeded', () => {
    expect(parseConfig({})).toMatchObject({
      env: 'development',
      database: { kind: 'pglite', dataDir: '.data/pglite' },
      appUrl: 'http://localhost:3000',
      seedDemo: true,
    })
  })

  test.each([
    ['memory://', { kind: 'pglite', dataDir: null }],
    [
      'postgres://u@db:5432/app',
      { kind: 'postgres', url: 'postgres://u@db:5432/app', directUrl: 'postgres://u@db:5432/app', poolMode: 'session' },
    ],
    ['postgresql://u@db/app', { kind: 'postgres', url: 'postgresql://u@db/app', directUrl: 'postgresql://u@db/app', poolMode: 'session' }],
    ['  ', { kind: 'pglite', dataDir: '.data/pglite' }],
  ])('DATABASE_URL=%j chooses %j', (url, database) => {
    expect(parseConfig({ DATABASE_URL: url }).database).toEqual(database)
  })

  test('behind a transaction-mode pooler: the pool through it, LISTEN and migrations straight to PostgreSQL', () => {
    expect(
      parseConfig({
        DATABASE_URL: 'postgres://u@pooler:6432/app',
        DATABASE_DIRECT_URL: 'postgres://u@db:5432/app',
        DATABASE_POOL_MODE: 'transaction',
      }).database,
    ).toEqual({ kind: 'postgres', url: 'postgres://u@pooler:6432/app', directUrl: 'postgres://u@db:5432/app', poolMode: 'transaction' })
  })

  test.each([
    [
      { DATABASE_URL: 'postgres://u@db/app', DATABASE_POOL_MODE: 'statement' },
      /DATABASE_POOL_MODE: .*transaction when DATABASE_URL points at a pooler/,
    ],
    [{ DATABASE_URL: 'postgres://u@db/app', DATABASE_DIRECT_URL: 'mysql://db/app' }, /DATABASE_DIRECT_URL: must start with postgres:\/\//],
    [
      { WORKERS: 'mail,cron' },
      /WORKERS: "cron" is not a worker \(which background workers this instance runs: all \(default\), none, or a list of mail, billing, purge\)/,
    ],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message)
  })

  test.each([
    [undefined, ['mail', 'billing', 'purge']],
    ['all', ['mail', 'billing', 'purge']],
    ['none', []],
    ['mail, purge', ['mail', 'purge']],
  ])('WORKERS=%j runs %j', (value, workers) => {
    expect([...parseConfig({ WORKERS: value }).workers]).toEqual(workers)
  })

  test('an unknown database URL is refused with what is accepted', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres:\/\//)
  })

  test('production without BETTER_AUTH_SECRET refuses to start, saying how to make one', () => {
    const start = () => parseConfig({ NODE_ENV: 'production' })
    expect(start).toThrow(ConfigError)
    expect(start).toThrow(/BETTER_AUTH_SECRET: required in production.*openssl rand/s)
  })

  test('production with a secret runs without the demo account unless asked', () => {
    const secret = 'x'.repeat(32)
    expect(parseConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: secret }).seedDemo).toBe(false)
    expect(parseConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: secret, SEED_DEMO: 'true' }).seedDemo).toBe(true)
  })

  test('mail: no SMTP_URL means the dev mailbox, from a default sender', () => {
    expect(parseConfig({}).mail).toEqual({ smtpUrl: null, from: 'Twofold <no-reply@localhost>' })
    expect(parseConfig({ SMTP_URL: ' smtps://u:p@mail.example:465 ', MAIL_FROM: 'Acme <hi@acme.test>' }).mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example:465',
      from: 'Acme <hi@acme.test>',
    })
  })

  test.each(['http://mail.example', 'smtp://', 'mail.example:587'])('SMTP_URL=%j is refused without echoing it', (url) => {
    const start = () => parseConfig({ SMTP_URL: url.replace('mail', 'secret-pass@mail') })
    expect(start).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/)
    expect(start).not.toThrow(/secret-pass/)
  })

  test('every invalid variable is named, with its description', () => {
    const error = (() => {
      try {
        parseConfig({ APP_URL: 'not a url', BETTER_AUTH_SECRET: 'short', LOG_LEVEL: 'loud' })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toMatch(/APP_URL: .*\(the public origin/)
    expect(error?.message).toMatch(/BETTER_AUTH_SECRET: /)
    expect(error?.message).toMatch(/LOG_LEVEL: /)
  })

  test.each([
    [undefined, { kind: 'none' }],
    ['', { kind: 'none' }],
    ['0', { kind: 'none' }],
    ['1', { kind: 'hops', hops: 1 }],
    [' 2 ', { kind: 'hops', hops: 2 }],
  ])('TRUST_PROXY=%j trusts %j', (value, trustProxy) => {
    expect(parseConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy)
  })

  test('TRUST_PROXY as addresses and CIDR ranges trusts exactly those', () => {
    const trust = parseConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).trustProxy
    if (trust.kind !== 'addresses') return expect.unreachable(`kind ${trust.kind}`)
    expect(trust.ranges).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8'])
    expect(trust.trusted.check('10.200.1.1', 'ipv4')).toBe(true)
    expect(trust.trusted.check('127.0.0.1', 'ipv4')).toBe(true)
    expect(trust.trusted.check('127.0.0.2', 'ipv4')).toBe(false)
    expect(trust.trusted.check('fd12::1', 'ipv6')).toBe(true)
    expect(trust.trusted.check('2001:db8::1', 'ipv6')).toBe(false)
  })

  test.each([
    ['yes', 'yes'],
    ['localhost', 'localhost'],
    ['10.0.0.0/33', '10.0.0.0/33'],
    ['fd00::/129', 'fd00::/129'],
    ['10.0.0.0/8/8', '10.0.0.0/8/8'],
    ['10.0.0.0/x', '10.0.0.0/x'],
    ['10.0.0.1,', ''],
  ])('TRUST_PROXY=%j is refused at start-up, naming %j and what is accepted', (value, bad) => {
    expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(
      `Invalid environment:\n  TRUST_PROXY: ${JSON.stringify(bad)} is not an IP address or CIDR range (which proxies`,
    )
  })

  describe('sign-in providers', () => {
    const secret = 'x'.repeat(32)

    test('none configured by default: no button, no provider', () => {
      expect(parseConfig({}).oauth).toEqual({ github: null, google: null, oidc: null })
    })

    test('each provider with both of its variables', () => {
      const { oauth } = parseConfig({
        GITHUB_CLIENT_ID: 'gh-id',
        GITHUB_CLIENT_SECRET: 'gh-secret',
        GOOGLE_CLIENT_ID: ' g-id ',
        GOOGLE_CLIENT_SECRET: 'g-secret',
        OIDC_ISSUER: 'https://login.example.com/realms/acme/',
        OIDC_CLIENT_ID: 'twofold',
        OIDC_CLIENT_SECRET: 'oidc-secret',
        OIDC_NAME: 'Acme SSO',
      })
      expect(oauth).toEqual({
        github: { clientId: 'gh-id', clientSecret: 'gh-secret' },
        google: { clientId: 'g-id', clientSecret: 'g-secret' },
        oidc: { issuer: 'https://login.example.com/realms/acme', clientId: 'twofold', clientSecret: 'oidc-secret', name: 'Acme SSO' },
      })
    })

    test('the OpenID Connect button says "Single sign-on" unless named', () => {
      const env = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }
      expect(parseConfig(env).oauth.oidc?.name).toBe('Single sign-on')
    })

    test.each([
      [{ GITHUB_CLIENT_ID: 'id' }, 'GITHUB_CLIENT_SECRET: required when GITHUB_CLIENT_ID is set'],
      [{ GITHUB_CLIENT_SECRET: 'secret' }, 'GITHUB_CLIENT_ID: required when GITHUB_CLIENT_SECRET is set'],
      [{ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: ' ' }, 'GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set'],
      [{ GOOGLE_CLIENT_SECRET: 'secret' }, 'GOOGLE_CLIENT_ID: required when GOOGLE_CLIENT_SECRET is set'],
      [{ OIDC_ISSUER: 'https://idp.example.com' }, 'OIDC_CLIENT_ID: required when OIDC_ISSUER is set'],
      [{ OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'a' }, 'OIDC_CLIENT_SECRET: required when OIDC_CLIENT_ID is set'],
      [{ OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }, 'OIDC_ISSUER: required when OIDC_CLIENT_ID is set'],
      [{ OIDC_ISSUER: 'not a url', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }, 'OIDC_ISSUER: Invalid URL'],
      [{ OIDC_ISSUER: 'ftp://idp.example.com', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }, 'OIDC_ISSUER: must be an https:// URL'],
    ])('half a provider, %j, is refused at start-up: %s', (env, message) => {
      expect(() => parseConfig(env)).toThrow(ConfigError)
      expect(() => parseConfig(env)).toThrow(message)
    })

    test('a secret is never repeated in the message', () => {
      expect(() => parseConfig({ GITHUB_CLIENT_SECRET: 'hunter2-secret' })).toThrow(/^(?![\s\S]*hunter2)/)
    })

    test('in production the issuer must be https, except on this machine', () => {
      const prod = { NODE_ENV: 'production', BETTER_AUTH_SECRET: secret, OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }
      expect(() => parseConfig({ ...prod, OIDC_ISSUER: 'http://idp.example.com' })).toThrow(
        'OIDC_ISSUER: must be an https:// URL (http:// only on localhost, or in development)',
      )
      expect(parseConfig({ ...prod, OIDC_ISSUER: 'http://127.0.0.1:3390' }).oauth.oidc?.issuer).toBe('http://127.0.0.1:3390')
      expect(parseConfig({ ...prod, OIDC_ISSUER: 'http://localhost:4400' }).oauth.oidc?.issuer).toBe('http://localhost:4400')
      expect(parseConfig({ ...prod, OIDC_ISSUER: 'https://idp.example.com' }).oauth.oidc?.issuer).toBe('https://idp.example.com')
      // Development may use a provider on the local network.
      expect(parseConfig({ OIDC_ISSUER: 'http://idp.lan', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' }).oauth.oidc).not.toBeNull()
    })
  })

  describe('the Stripe stand-in (STRIPE_API_URL) in production', () => {
    const production = {
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: 'x'.repeat(32),
      STRIPE_SECRET_KEY: 'sk_test_standin',
      STRIPE_WEBHOOK_SECRET: 'whsec_standin',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
    }

    test('refuses to start without the explicit opt-in, saying what to do', () => {
      for (const env of [
        production,
        { ...production, STRIPE_STANDIN_IN_PRODUCTION: 'false' },
        { ...production, STRIPE_SECRET_KEY: undefined },
      ]) {
        const start = () => parseConfig(env)
        expect(start).toThrow(ConfigError)
        expect(start).toThrow(/STRIPE_API_URL: not in production.*STRIPE_STANDIN_IN_PRODUCTION=true/s)
      }
    })

    test('runs against the stand-in with STRIPE_STANDIN_IN_PRODUCTION=true (the test suites), and development needs no opt-in', () => {
      expect(parseConfig({ ...production, STRIPE_STANDIN_IN_PRODUCTION: 'true' }).stripe?.apiUrl).toBe('http://127.0.0.1:12111')
      expect(parseConfig({ ...production, NODE_ENV: 'development' }).stripe?.apiUrl).toBe('http://127.0.0.1:12111')
    })
  })
})
