// `npm run stripe:trigger` as a developer sees it: what the app answered, in words, on stderr with exit code 1 — "no
// such workspace" is not "the app has no trigger route". The app here is a stub server answering as the real route or
// Next's own 404 page would.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

type Answer = { status: number; contentType: string; body: string }

async function trigger(answer: Answer, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(answer.status, { 'Content-Type': answer.contentType })
    response.end(answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/stripe-trigger.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, APP_URL: `http://127.0.0.1:${port}` },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    return { code, stdout, stderr }
  } finally {
    server.close()
  }
}

const problem = (status: number, detail: string, errors?: Record<string, string[]>): Answer => ({
  status,
  contentType: 'application/problem+json',
  body: JSON.stringify({ type: 'about:blank', title: 'Not found', status, detail, ...(errors ? { errors } : {}) }),
})

describe('npm run stripe:trigger', () => {
  test.each([
    ['an unknown workspace', problem(404, 'Workspace nope not found.'), 'Workspace nope not found.\n'],
    [
      'a workspace with no subscription yet',
      problem(400, 'nope has no subscription yet: trigger checkout.session.completed first.'),
      'nope has no subscription yet: trigger checkout.session.completed first.\n',
    ],
    [
      'an invalid event',
      problem(422, 'Some fields are invalid.', { event: ['Invalid option'] }),
      'Some fields are invalid.\n  event: Invalid option\n',
    ],
    [
      'a production server (Next’s own 404 page)',
      { status: 404, contentType: 'text/html', body: '<!doctype html><title>404</title>' },
      'The app has no /api/dev/stripe/trigger: it exists only under `npm run dev`, never in a production build.\n',
    ],
  ])(
    '%s: the app’s reason on stderr, exit 1',
    async (_case, answer, said) => {
      const { code, stdout, stderr } = await trigger(answer, ['invoice.paid', '-w', 'nope'])
      expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: said })
    },
    30_000,
  )
})
