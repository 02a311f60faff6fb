// Every redirect the app makes, found in the real source tree: a target that can carry a path the client chose goes
// through safeReturnPath (src/server/auth/return-path.ts), the one rule for "a path on this site". A new redirect
// site fails here until it either uses that function or is reviewed below as built by the server.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : []
  })
}

type Site = { file: string; line: number; target: string; node: ts.Expression }

const isLocation = (name: ts.PropertyName | ts.Expression) =>
  (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text.toLowerCase() === 'location'

/**
 * The places a response is sent somewhere else: redirect()/permanentRedirect() from next/navigation, any
 * `….redirect(target)` (Response.redirect, NextResponse.redirect, an injected redirect), `headers.set('Location', …)`
 * and a `location:` entry in a `headers: {…}` object.
 */
function redirectSites(file: string): Site[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const sites: Site[] = []
  const add = (target: ts.Expression | undefined) => {
    if (!target) return
    const { line } = source.getLineAndCharacterOfPosition(target.getStart())
    sites.push({ file: path.relative(root, file), line: line + 1, target: target.getText(), node: target })
  }
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : ''
      if (name === 'redirect' || name === 'permanentRedirect') add(node.arguments[0])
      const [header, value] = node.arguments
      if ((name === 'set' || name === 'append') && header && isLocation(header)) add(value)
    }
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'headers' &&
      ts.isObjectLiteralExpression(node.initializer)
    ) {
      for (const property of node.initializer.properties) {
        if (ts.isPropertyAssignment(property) && isLocation(property.name)) add(property.initializer)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return sites
}

/** A fixed target: a string with nothing interpolated. */
const isFixed = (target: ts.Expression) => ts.isStringLiteral(target) || ts.isNoSubstitutionTemplateLiteral(target)

/** The target is checked by the one rule, in the call itself. */
function usesReturnPathCheck(target: ts.Expression): boolean {
  let found = false
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'safeReturnPath') found = true
    ts.forEachChild(node, visit)
  }
  visit(target)
  return found
}

/**
 * Redirects whose target is built by the server, each with why no client-chosen path reaches it. Keyed by file and
 * the target's source text, so a changed target is reviewed again.
 */
const BUILT_BY_THE_SERVER: Record<string, string> = {
  'src/server/runtime/next.ts: `/sign-in?next=${encodeURIComponent(returnTo)}`':
    'always /sign-in; the page’s own path rides encoded in `next`, which the sign-in page checks with safeReturnPath',
  'src/server/transports/to-action.ts: options.redirectTo(data, input, scope)':
    'an operation’s declared redirectTo, built from what the service returned (a new workspace’s slug, …)',
  'src/server/transports/to-route.ts: new URL(http.location(output), url).toString()':
    'a created resource’s URL, from its id as the service returned it',
  'src/server/transports/to-file-route.ts: location.toString()': 'a stored file’s URL, from its id as the service returned it',
  'src/server/transports/app-file-routes.ts: new URL(`${projectPath}?upload=ok`, call.ctx.appUrl)':
    'the project page on APP_URL: slug and id are encoded as single path segments',
  'src/server/transports/app-file-routes.ts: new URL(`/sign-in?next=${encodeURIComponent(projectPath)}`, appUrl)':
    'always /sign-in on APP_URL; `next` (the project page) is checked by the sign-in page',
  'src/server/transports/app-file-routes.ts: new URL(`${projectPath}?upload=${outcomeOf(error)}`, appUrl)':
    'the project page on APP_URL, with an outcome from a fixed list',
  'src/app/(auth)/actions.ts: url': 'the provider’s consent page, from the provider’s configured endpoints (oauth.ts)',
  'src/app/w/[slug]/page.tsx: home': 'the workspace’s own page, /w/{slug} as the database has the slug',
  'src/app/w/[slug]/activity/page.tsx: home': 'the workspace’s activity page, from the slug as the database has it',
  'src/app/dashboard/page.tsx: `/w/${first.slug}`': 'the caller’s first workspace, slug from the database',
  "src/app/dashboard/settings/tokens/page.tsx: first ? `/w/${first.slug}/settings/tokens` : '/dashboard'":
    'the caller’s first workspace, slug from the database',
}

// The app, and the production entries around it. src/dev is not the app: it is the Stripe stand-in's own pages, which
// play Stripe (redirecting to the success_url our server gave it) and never ship in a production build.
const devTools = path.join(root, 'src', 'dev')
const sites = [
  ...sourceFiles(path.join(root, 'src')).filter((file) => !file.startsWith(devTools + path.sep)),
  path.join(root, 'server.js'),
  path.join(root, 'http-shell.js'),
].flatMap(redirectSites)
const key = (site: Site) => `${site.file}: ${site.target}`

describe('every redirect site', () => {
  test('is found: the scan sees the sign-in action and the verify notice’s dismiss action', () => {
    expect(sites.filter((site) => site.file === 'src/app/(auth)/actions.ts').length).toBeGreaterThanOrEqual(3)
    expect(sites.some((site) => site.file === 'src/app/verify-email/actions.ts')).toBe(true)
  })

  test('with a target the client could choose goes through safeReturnPath', () => {
    const unchecked = sites
      .filter((site) => !isFixed(site.node) && !usesReturnPathCheck(site.node) && !(key(site) in BUILT_BY_THE_SERVER))
      .map((site) => `${site.file}:${site.line}: ${site.target}`)
    expect(unchecked).toEqual([])
  })

  test('reviewed as built by the server is still there (a stale entry would excuse a new site by accident)', () => {
    const found = new Set(sites.map(key))
    expect(Object.keys(BUILT_BY_THE_SERVER).filter((entry) => !found.has(entry))).toEqual([])
  })
})
