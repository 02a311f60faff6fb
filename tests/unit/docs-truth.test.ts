// The documents a newcomer reads first (README.md, SECURITY.md, docs/architecture.md) name files, tests and
// environment variables: every one of them must exist, so a rename or a removal cannot leave the docs pointing at
// nothing. Files are looked up from the repository root (and, as docs/architecture.md writes them, from src/ and
// src/server/); a test named as `file.test.ts` › "name" must be in that file; an environment variable must be read
// somewhere in the code (src, scripts, tests, the configs, CI, deploy) or listed in .env.example.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DOCS = ['README.md', 'SECURITY.md', 'docs/architecture.md']
// Made by running things, so absent from a fresh clone: named in the docs, never checked in.
const GENERATED = /^(\.data|\.next|\.api|node_modules|bench\/results|test-results|playwright-report)(\/|$)/
const MEDIA_TYPE = /^(text|multipart|application|image|audio|video)\/[\w.+-]+$/
const CODE = /\.(ts|tsx|mjs|js|cjs|json|sh|cfg|ini|yml|yaml)$|^run$/

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8')
}

/** The text outside fenced code blocks (those hold commands and output, not references). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '')
}

function codeSpans(markdown: string): string[] {
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '')
}

/** `tests/unit/x.test.ts`, `deploy/haproxy.cfg`, `server.js`, `.env.example`, and relative link targets. */
function namedFiles(markdown: string): string[] {
  const spans = codeSpans(markdown).filter(
    (span) =>
      !/[\s…*<>{}=:?]|^\/|^-|^\.\.|^@|^\w+:\/\//.test(span) &&
      !MEDIA_TYPE.test(span) &&
      (/^[\w.@-]+(\/[\w.@[\]()-]+)+\/?$/.test(span) || /^[\w.-]+\.(ts|tsx|mjs|js|json|md|cfg|ini|example|css)$/.test(span)),
  )
  const links = [...prose(markdown).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1] ?? '').filter((target) => !/^\w+:/.test(target))
  return [...new Set([...spans, ...links])].filter((file) => !GENERATED.test(file) && !/\.\w+\/\w/.test(file.replace(/^\./, '')))
}

function fileExists(file: string, doc: string): boolean {
  // A bare name (`transport.ts`, `page.dev.tsx`) is how the docs refer to a file beside the one just named, or to a
  // naming convention: some file in the repository must carry it.
  if (!file.includes('/')) return existsSync(path.join(ROOT, file)) || allFiles.some((one) => path.basename(one).endsWith(file))
  const fromDoc = path.join(path.dirname(doc), file)
  return [file, fromDoc, `src/${file}`, `src/server/${file}`].some((candidate) => existsSync(path.join(ROOT, candidate.replace(/\/$/, ''))))
}

/** `SOME_VARIABLE` and `NAME=value`, as the docs write environment variables. */
function namedVariables(markdown: string): string[] {
  const names = codeSpans(markdown).flatMap((span) => {
    const assignment = /^([A-Z][A-Z0-9_]*)=/.exec(span)
    if (assignment) return [assignment[1] ?? '']
    return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(span) ? [span] : []
  })
  return [...new Set(names)]
}

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const relative = path.join(dir, entry)
    if (entry === 'node_modules' || entry === 'generated' || entry.startsWith('.next')) continue
    if (statSync(path.join(ROOT, relative)).isDirectory()) walk(relative, found)
    else if (CODE.test(entry) || /\.(tsx|css|sql|md)$/.test(entry)) found.push(relative)
  }
  return found
}

const allFiles = [
  ...['src', 'scripts', 'tests', 'deploy', 'bench', '.ci'].filter((dir) => existsSync(path.join(ROOT, dir))).flatMap((dir) => walk(dir)),
  ...readdirSync(ROOT).filter((entry) => /\.(ts|js|mjs)$/.test(entry)),
]
const code = allFiles
  .filter((file) => (CODE.test(path.basename(file)) || file.endsWith('.tsx')) && file !== 'tests/unit/docs-truth.test.ts')
  .map(read)
  .join('\n')
const envExample = read('.env.example')

describe.each(DOCS)('%s', (doc) => {
  const markdown = read(doc)

  test('every file it names exists', () => {
    const files = namedFiles(markdown)
    expect(files.length).toBeGreaterThan(0)
    expect(files.filter((file) => !fileExists(file, doc))).toEqual([])
  })

  test('every test it names by file and name is in that file', () => {
    const named = [...prose(markdown).matchAll(/`(tests\/[^`]+\.(?:test|spec)\.ts)` › "([^"]+)"/g)]
    const missing = named.filter(([, file = '', name = '']) => !existsSync(path.join(ROOT, file)) || !read(file).includes(name))
    expect(missing.map(([whole]) => whole)).toEqual([])
  })

  test('every environment variable it names is read by the code or listed in .env.example', () => {
    const variables = namedVariables(markdown)
    const unread = variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(code) && !new RegExp(`\\b${name}\\b`).test(envExample))
    expect(unread).toEqual([])
  })
})

describe('the checks themselves', () => {
  test('find files, links and variables as the docs write them, and skip what is not one', () => {
    const sample = [
      '`tests/unit/pooler.test.ts` and `deploy/haproxy.cfg`, `server.js`, [arch](docs/architecture.md#layers)',
      '`/api/v1/events` `npm run dev` `.data/pglite` `https://x.test/a` `E2E_PORT` `WORKERS=all` `NOT_FOUND` `PORT`',
      '```sh\nnot/a/file.ts `IN_FENCE`\n```',
    ].join('\n')
    expect(namedFiles(sample)).toEqual(['tests/unit/pooler.test.ts', 'deploy/haproxy.cfg', 'server.js', 'docs/architecture.md'])
    expect(namedVariables(sample)).toEqual(['E2E_PORT', 'WORKERS', 'NOT_FOUND'])
    expect(fileExists('tests/unit/no-such.test.ts', 'README.md')).toBe(false)
    expect(fileExists('auth/actor.ts', 'docs/architecture.md')).toBe(true)
  })

  test('a variable nothing reads is caught', () => {
    expect(/\bTWOFOLD_NO_SUCH_VARIABLE\b/.test(code)).toBe(false)
  })
})
