// The layering of DESIGN.md, enforced: services and the database layer know nothing of Next.js, React or the
// transports; declarations import only services; transports never import the runtime; only runtime/next.ts binds
// them to Next; and production code never imports the
// development tools (src/dev), which only *.dev.ts(x) routes, scripts and tests load. Reads the real source tree.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'

const root = path.resolve(import.meta.dirname, '../../src/server')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : []
  })
}

/** Every module specifier a file imports, statically, dynamically or by require. */
function importsOf(source: string): string[] {
  const specifiers = []
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1] ?? '')
  return specifiers
}

const FRAMEWORK = /^(next|react|react-dom|better-auth)(\/|$)/
const NEXT_OR_REACT = /^(next|react|react-dom)(\/|$)/
/** The runtime (the composition root and its bindings): only the entries above it may import it. */
const RUNTIME = /^\.\.\/runtime(\/|$)|^@\/server\/runtime(\/|$)/
/** What a layer may not import: frameworks, and the layers above it (by relative path out of its folder). */
const RULES: { layer: string; forbidden: RegExp; why: string }[] = [
  { layer: 'services', forbidden: FRAMEWORK, why: 'services are called by every transport and must run without Next.js or React' },
  {
    layer: 'services',
    forbidden: /^\.\.\/(operations|transports|runtime|api|live|http|auth)(\/|$)|^@\/(app|components)/,
    why: 'services sit below the declarations, the transports and the runtime',
  },
  { layer: 'db', forbidden: FRAMEWORK, why: 'the database layer is plain Drizzle' },
  {
    layer: 'db',
    forbidden: /^\.\.\/(services|operations|transports|runtime|live|http|auth)(\/|$)/,
    why: 'the database layer sits at the bottom',
  },
  { layer: 'mail', forbidden: FRAMEWORK, why: 'the mailer runs in the worker, off any request, and is called by services' },
  {
    layer: 'mail',
    forbidden: /^\.\.\/(services|operations|transports|runtime|http|auth)(\/|$)|^@\/(app|components)/,
    why: 'the mailer sits below the services',
  },
  {
    layer: 'operations',
    forbidden: /^(next|react|react-dom|better-auth)(\/|$)|^\.\.\/(?!services\/|live\/|errors$)/,
    why: 'a declaration imports only services, live feeds and the error taxonomy: never a transport or the runtime',
  },
  { layer: 'transports', forbidden: FRAMEWORK, why: 'transports are web-standard; runtime/next.ts binds them to Next.js' },
  { layer: 'transports', forbidden: RUNTIME, why: 'transports are bound to the process by the runtime, never the reverse' },
  { layer: 'live', forbidden: /^\.\.\/(operations|transports|runtime)(\/|$)/, why: 'live feeds sit below the declarations' },
  { layer: 'billing', forbidden: NEXT_OR_REACT, why: 'the webhook and the worker are web-standard and run without Next.js' },
  { layer: 'billing', forbidden: RUNTIME, why: 'the runtime starts the billing worker, never the reverse' },
  { layer: 'http', forbidden: NEXT_OR_REACT, why: 'HTTP renderings work on web-standard Request and Response' },
  { layer: 'http', forbidden: /^\.\.\/(operations|transports|runtime)(\/|$)/, why: 'HTTP pieces sit below the transports' },
  { layer: 'files', forbidden: RUNTIME, why: 'storage is given to the services by the runtime' },
  { layer: 'auth', forbidden: RUNTIME, why: 'the runtime loads Better Auth, never the reverse' },
]

function violations(files: { file: string; source: string }[]) {
  const found: string[] = []
  for (const { file, source } of files) {
    const layer = path.relative(root, file).split(path.sep)[0] ?? ''
    for (const rule of RULES.filter((r) => r.layer === layer)) {
      for (const specifier of importsOf(source))
        if (rule.forbidden.test(specifier)) found.push(`${path.relative(root, file)} imports ${specifier}: ${rule.why}`)
    }
  }
  return found
}

const tree = sourceFiles(root).map((file) => ({ file, source: readFileSync(file, 'utf8') }))

describe('layering', () => {
  test('the source tree has the layers this test guards', () => {
    const layers = new Set(tree.map(({ file }) => path.relative(root, file).split(path.sep)[0]))
    for (const layer of ['services', 'db', 'http', 'operations', 'transports', 'runtime', 'live', 'mail']) expect(layers).toContain(layer)
  })

  test('no service, database, mail or HTTP module imports a framework or a layer above it', () => {
    expect(violations(tree)).toEqual([])
  })

  test('only runtime/next.ts binds the transports to Next.js', () => {
    const bound = tree.filter(({ file, source }) => {
      const layer = path.relative(root, file).split(path.sep)[0]
      return layer !== 'auth' && importsOf(source).some((s) => NEXT_OR_REACT.test(s))
    })
    expect(bound.map(({ file }) => path.relative(root, file))).toEqual([path.join('runtime', 'next.ts')])
  })

  // The guard itself must bite: each of these, dropped into a service, is reported.
  test.each([
    "import { headers } from 'next/headers'",
    "import { useState } from 'react'",
    "const { cookies } = await import('next/headers')",
    "import 'next/server'",
    "const auth = require('better-auth')",
    "import { toRoute } from '../transports/to-route'",
    "import { getRuntime } from '../runtime'",
  ])('would catch %s in a service', (line) => {
    const file = path.join(root, 'services', 'new-feature.ts')
    expect(violations([{ file, source: `${line}\nexport const x = 1\n` }])).toHaveLength(1)
  })

  test.each([
    "import { toRoute } from '../transports/to-route'",
    "import { getRuntime } from '../runtime'",
    "import { log } from '../log'",
  ])('would catch %s in a declaration', (line) => {
    const file = path.join(root, 'operations', 'new-feature.ts')
    expect(violations([{ file, source: `${line}\nexport const x = 1\n` }])).toHaveLength(1)
  })

  test('would catch the runtime in a transport', () => {
    const file = path.join(root, 'transports', 'to-route.ts')
    expect(violations([{ file, source: "import { getApiRuntime } from '../runtime'\n" }])).toHaveLength(1)
  })

  test('would catch Next.js in the mailer', () => {
    const file = path.join(root, 'mail', 'outbox.ts')
    expect(violations([{ file, source: "import { after } from 'next/server'\n" }])).toHaveLength(1)
  })
})

const src = path.resolve(import.meta.dirname, '../../src')
const devTools = path.join(src, 'dev')

/** Development-only modules: the tools in src/dev, and the routes that only `next dev` builds (next.config.ts). */
const isDevelopmentOnly = (file: string) => file.startsWith(devTools + path.sep) || /\.dev\.tsx?$/.test(file)

/** Imports of src/dev from production code: through the @/ alias, or a relative path that lands in src/dev. */
function devToolImports(files: { file: string; source: string }[]): string[] {
  const found: string[] = []
  for (const { file, source } of files) {
    if (isDevelopmentOnly(file)) continue
    for (const specifier of importsOf(source)) {
      const target = specifier.startsWith('@/')
        ? path.join(src, specifier.slice(2))
        : specifier.startsWith('.')
          ? path.resolve(path.dirname(file), specifier)
          : null
      if (target && (target === devTools || target.startsWith(devTools + path.sep)))
        found.push(`${path.relative(src, file)} imports ${specifier}`)
    }
  }
  return found
}

describe('development tools stay out of production code', () => {
  const everything = sourceFiles(src).map((file) => ({ file, source: readFileSync(file, 'utf8') }))

  test('the tools and the dev routes this test guards are there', () => {
    const relative = everything.map(({ file }) => path.relative(src, file))
    expect(relative).toContain(path.join('dev', 'stripe', 'standin.ts'))
    expect(relative.filter((file) => /\.dev\.tsx?$/.test(file)).length).toBeGreaterThan(0)
  })

  test('no production module imports src/dev (only *.dev.ts(x) routes, scripts and tests do)', () => {
    expect(devToolImports(everything)).toEqual([])
  })

  test.each([
    ['server/billing/webhook-route.ts', "import { triggerEvent } from '../../dev/stripe/trigger'"],
    ['app/w/[slug]/settings/billing/page.tsx', "import { recentMail } from '@/dev/mailbox'"],
    ['app/api/dev/stripe/trigger/route.ts', "const { devStripeTrigger } = await import('@/dev/stripe/trigger')"],
  ])('would catch, in %s: %s', (file, line) => {
    expect(devToolImports([{ file: path.join(src, file), source: `${line}\n` }])).toHaveLength(1)
  })
})
