// Ports for the servers the suites start (scripts/free-ports.mjs): from the OS, distinct, and an override kept.
import { createServer } from 'node:net'
import { expect, test } from 'vitest'
import { assignPorts, E2E_PORT_VARIABLES } from '../../scripts/free-ports.mjs'

test('every unset variable gets its own port, one nothing listens on', async () => {
  const ports = await assignPorts(E2E_PORT_VARIABLES, {})
  expect(Object.keys(ports)).toEqual([...E2E_PORT_VARIABLES])
  expect(new Set(Object.values(ports)).size).toBe(E2E_PORT_VARIABLES.length)
  for (const port of Object.values(ports)) {
    const server = createServer()
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(Number(port), '127.0.0.1', resolve))
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a variable already set is an override: left out, so the caller keeps it', async () => {
  const ports = await assignPorts(['E2E_PORT', 'E2E_SMTP_PORT'], { E2E_PORT: '3100' })
  expect(Object.keys(ports)).toEqual(['E2E_SMTP_PORT'])
})
