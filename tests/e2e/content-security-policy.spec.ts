// The Content-Security-Policy in a real browser: the app's own scripts run (the page hydrates and its forms
// work), injected markup's inline handler and script do not, and nothing the app itself does is reported.
import { expect, test } from '@playwright/test'

test('the app runs under its policy and an injected inline script is blocked @needs-js', async ({ page }) => {
  const problems: string[] = []
  page.on('console', (message) => {
    // A failed load is reported below with its URL; the text here does not say which resource it was.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text())
  })
  page.on('response', (response) => {
    // The browser asks for /favicon.ico on its own; the app has none, which is no policy problem.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
      problems.push(`${response.status()} ${response.url()}`)
  })
  page.on('pageerror', (error) => problems.push(error.message))

  await page.goto('/sign-in')
  // Hydrated: React attached its handlers, which it does only when Next's nonce-carrying scripts ran.
  await expect.poll(() => page.evaluate(() => Array.isArray((self as { __next_f?: unknown[] }).__next_f))).toBe(true)
  await page.getByLabel('Email').fill('not-an-address')
  await expect(page.getByLabel('Email')).toHaveValue('not-an-address')
  expect(problems).toEqual([])

  // What an injection looks like: markup that lands in the page. (A <script> created by script is not that:
  // 'strict-dynamic' trusts scripts that running scripts insert, by design, so it would run.) An inline event
  // handler must be refused (script-src-attr), and so must a parser-inserted <script> without the nonce.
  const violations: string[] = []
  await page.exposeFunction('reportViolation', (directive: string) => violations.push(directive))
  const ran = await page.evaluate(async () => {
    const seen = window as unknown as { reportViolation(d: string): void; handler?: boolean; parsed?: boolean }
    document.addEventListener('securitypolicyviolation', (event) => seen.reportViolation(event.effectiveDirective))
    const landed = document.createElement('div')
    landed.innerHTML = '<img src="data:," onerror="window.handler = true">'
    document.body.append(landed)
    const frame = document.createElement('iframe')
    frame.srcdoc = '<script>parent.parsed = true</script>'
    document.body.append(frame)
    await new Promise((resolve) => setTimeout(resolve, 300))
    return { handler: seen.handler === true, parsed: seen.parsed === true }
  })
  expect(ran).toEqual({ handler: false, parsed: false })
  await expect.poll(() => violations).toContain('script-src-attr')
})
