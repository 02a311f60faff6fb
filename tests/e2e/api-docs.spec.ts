// The API reference page: rendered on the server from the published OpenAPI document (every operation with its
// sidebar link, examples and snippets, with JavaScript on and off), readable on a phone, and its "Try it" forms
// sending real requests with a real token.
import { expect, type Page, test } from '@playwright/test'
import { createToken, signUp } from './support'

type Described = { operationId: string; summary: string; requestBody?: { content: Record<string, unknown> } }
type Operation = { heading: string; id: string; summary: string; hasJsonBody: boolean; successStatus: string }

async function publishedOperations(page: Page): Promise<Operation[]> {
  const document = await (await page.request.get('/api/v1/openapi.json')).json()
  return Object.entries(document.paths as Record<string, Record<string, Described & { responses: Record<string, unknown> }>>).flatMap(
    ([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        heading: `${method.toUpperCase()} ${path}`,
        id: op.operationId,
        summary: op.summary,
        hasJsonBody: Boolean(op.requestBody?.content['application/json']),
        successStatus: Object.keys(op.responses).find((status) => status.startsWith('2')) ?? '',
      })),
  )
}

/** The section of one operation: `id` holds dots (projects.list), which a CSS id selector would read as classes. */
const sectionOf = (page: Page, id: string) => page.locator(`section[id="${id}"]`)

const pageIsNoWiderThanViewport = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

test('/docs/api has a heading, a sidebar link, examples and snippets for every operation the OpenAPI document publishes', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  const operations = await publishedOperations(page)
  expect(operations.length).toBeGreaterThanOrEqual(14)

  await page.goto('/docs/api')
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible()
  const sidebar = page.getByRole('navigation', { name: 'API reference', exact: true })
  await expect(sidebar).toBeVisible()
  for (const operation of operations) {
    const section = sectionOf(page, operation.id)
    await expect(section.getByRole('heading', { level: 3, name: operation.heading, exact: true })).toBeVisible()
    const link = sidebar.locator(`a[href="#${operation.id}"]`)
    await expect(link).toBeVisible()
    await expect(link).toContainText(operation.heading.split(' ')[0] ?? '')
    // Examples generated from the schemas, and both snippets.
    await expect(section.locator('figcaption', { hasText: `Response ${operation.successStatus}` })).toBeVisible()
    await expect(section.locator('figcaption', { hasText: /^Error \d{3} \(application\/problem\+json\)$/ })).toBeVisible()
    await expect(section.locator('figure', { hasText: 'application/problem+json' }).locator('pre')).toContainText('"requestId"')
    if (operation.hasJsonBody) await expect(section.locator('figcaption', { hasText: 'Request body (application/json)' })).toBeVisible()
    await expect(section.locator('figure', { hasText: /^curl/ }).locator('pre')).toContainText('Authorization: Bearer $TWOFOLD_TOKEN')
    await expect(section.locator('figure', { hasText: 'TypeScript (openapi-fetch)' }).locator('pre')).toContainText(
      `await api.${operation.heading.split(' ')[0]}('${operation.heading.split(' ')[1]}'`,
    )
  }
  const headings = await page.getByRole('heading', { level: 3 }).allTextContents()
  expect(headings.filter((heading) => /^(GET|POST|PUT|PATCH|DELETE) /.test(heading)).sort()).toEqual(
    operations.map((o) => o.heading).sort(),
  )

  // A link in the sidebar leads to its operation.
  const create = operations.find((o) => o.id === 'projects.create')
  await sidebar.locator('a[href="#projects.create"]').click()
  await expect(page).toHaveURL(/#projects\.create$/)
  await expect(sectionOf(page, 'projects.create').getByRole('heading', { level: 3, name: create?.heading })).toBeInViewport()
  expect(await pageIsNoWiderThanViewport(page)).toBe(true)
  await testInfo.attach('api-docs-1280', { body: await page.screenshot(), contentType: 'image/png' })
})

test('descriptions are rendered Markdown: no backtick is left in the text outside code blocks', async ({ page }) => {
  await page.goto('/docs/api')
  const prose = await page.locator('main').evaluate((main) => {
    const copy = main.cloneNode(true) as HTMLElement
    for (const block of copy.querySelectorAll('pre')) block.remove()
    return copy.textContent ?? ''
  })
  expect(prose.length).toBeGreaterThan(5000)
  expect(prose.match(/.{0,40}`.{0,40}/g) ?? []).toEqual([])
  // What the backticks meant is there, as code.
  await expect(sectionOf(page, 'projects.list').locator('p code', { hasText: 'projects:read' })).toBeVisible()
})

test('on a phone the contents are a disclosure and nothing is wider than the screen', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/docs/api')
  await expect(page.getByRole('navigation', { name: 'API reference', exact: true })).toBeHidden()
  const contents = page.locator('details', { has: page.locator('summary', { hasText: 'Contents' }) })
  await expect(contents).toBeVisible()
  await expect(contents.getByRole('link', { name: /Create a project/ })).toBeHidden()
  await contents.locator('summary').click()
  await contents.getByRole('link', { name: /Create a project/ }).click()
  await expect(page).toHaveURL(/#projects\.create$/)
  expect(await pageIsNoWiderThanViewport(page)).toBe(true)
  // With every "Try it" open too.
  for (const summary of await page.locator('summary', { hasText: 'Try it' }).all()) await summary.click()
  expect(await pageIsNoWiderThanViewport(page)).toBe(true)
  await testInfo.attach('api-docs-390', { body: await page.screenshot(), contentType: 'image/png' })
})

test('a try-it form can send exactly when JavaScript runs, and says so when it cannot', async ({ page }, testInfo) => {
  const javaScript = testInfo.project.use.javaScriptEnabled !== false
  await page.goto('/docs/api')
  const section = sectionOf(page, 'me.get')
  await section.locator('summary', { hasText: 'Try it' }).click()
  const note = section.getByText('Sending a request from this page needs JavaScript')
  const send = section.getByRole('button', { name: 'Send GET' })
  if (javaScript) {
    await expect(send).toBeEnabled()
    await expect(note).toBeHidden()
  } else {
    await expect(send).toBeDisabled()
    await expect(note).toBeVisible()
  }
})

/** Opens an operation's "Try it" and returns its form. */
async function openTryIt(page: Page, id: string) {
  const section = sectionOf(page, id)
  await section.locator('summary', { hasText: 'Try it' }).click()
  return section.getByRole('form', { name: /^Try / })
}

test('"Try it" sends a real request with the pasted token, shows status, headers and body; a wrong token is 401 @needs-js', async ({
  page,
  baseURL,
}) => {
  const person = await signUp(page)
  const token = await createToken(page, person.workspace, 'Docs page', ['projects:read', 'projects:write'])
  const sent: { url: string; authorization?: string; cookie?: string }[] = []
  page.on('request', (request) => {
    if (request.url().includes('/api/v1/'))
      sent.push({ url: request.url(), authorization: request.headers().authorization, cookie: request.headers().cookie })
  })

  await page.goto('/docs/api')
  const me = await openTryIt(page, 'me.get')
  const send = me.getByRole('button', { name: 'Send GET' })
  await expect(send).toBeEnabled()
  await me.getByLabel('API token').fill(token)
  await send.click()
  await expect(me.locator('output')).toHaveText('200 OK')
  await expect(me.getByText('Response headers')).toBeVisible()
  await expect(me.locator('pre', { hasText: 'x-request-id:' })).toContainText('ratelimit-remaining:')
  const body = JSON.parse((await me.locator('pre', { hasText: '"user"' }).textContent()) ?? '')
  expect(body).toMatchObject({
    user: { email: person.email, name: person.name },
    token: { name: 'Docs page', scopes: ['projects:read', 'projects:write'] },
  })
  // To this site's API only, with the token and without the session cookie.
  expect(sent).toEqual([{ url: `${baseURL}/api/v1/me`, authorization: `Bearer ${token}`, cookie: undefined }])

  // The forms share the token; a path parameter goes into the URL.
  const project = await openTryIt(page, 'projects.get')
  await expect(project.getByLabel('API token')).toHaveValue(token)
  await project.getByLabel(/^id \(path\)/).fill('00000000-0000-4000-8000-000000000000')
  await project.getByRole('button', { name: 'Send GET' }).click()
  await expect(project.locator('output')).toHaveText('404 Not Found')
  await expect(project.locator('pre', { hasText: '"code"' })).toContainText('"NOT_FOUND"')
  expect(sent.at(-1)?.url).toBe(`${baseURL}/api/v1/projects/00000000-0000-4000-8000-000000000000`)

  // A body as edited in the form, then a header: the project it made is current at "v1".
  const create = await openTryIt(page, 'projects.create')
  await create.getByLabel('Body (JSON)').fill('{"name": "Made on the docs page"}')
  await create.getByRole('button', { name: 'Send POST' }).click()
  await expect(create.locator('output')).toHaveText('201 Created')
  const made = JSON.parse((await create.locator('pre', { hasText: '"version"' }).textContent()) ?? '')
  expect(made).toMatchObject({ name: 'Made on the docs page', description: '', version: 1 })
  await project.getByLabel(/^id \(path\)/).fill(made.id)
  await project.getByLabel(/^If-None-Match \(header/).fill('"v1"')
  await project.getByRole('button', { name: 'Send GET' }).click()
  await expect(project.locator('output')).toHaveText('304 Not Modified')
  await expect(project.locator('pre', { hasText: '(no body)' })).toBeVisible()

  await me.getByLabel('API token').fill('tf_not_a_real_token_000000000000000')
  await me.getByRole('button', { name: 'Send GET' }).click()
  await expect(me.locator('output')).toHaveText('401 Unauthorized')
  await expect(me.locator('pre', { hasText: 'www-authenticate:' })).toContainText('Bearer')
  await expect(me.locator('pre', { hasText: '"code"' })).toContainText('"UNAUTHENTICATED"')

  // Kept nowhere unless asked; in this tab's sessionStorage when asked, and gone again when unticked.
  const stored = () => page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }))
  expect(await stored()).not.toContain('tf_')
  await me.getByLabel('API token').fill(token)
  await me.getByLabel('Keep the token in this tab (sessionStorage)').check()
  expect(await page.evaluate(() => sessionStorage.getItem('twofold.api-docs.token'))).toBe(token)
  await page.reload()
  const again = await openTryIt(page, 'me.get')
  await expect(again.getByLabel('API token')).toHaveValue(token)
  await again.getByLabel('Keep the token in this tab (sessionStorage)').uncheck()
  expect(await stored()).not.toContain('tf_')
})
