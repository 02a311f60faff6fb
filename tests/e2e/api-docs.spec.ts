// The API reference page: rendered on the server from the published OpenAPI document, one section per operation.
import { expect, test } from '@playwright/test'

test('/docs/api has a heading for every operation the OpenAPI document publishes', async ({ page, request }) => {
  const document = await (await request.get('/api/v1/openapi.json')).json()
  const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  )
  expect(operations.length).toBeGreaterThanOrEqual(6)

  await page.goto('/docs/api')
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible()
  for (const operation of operations) await expect(page.getByRole('heading', { level: 2, name: operation, exact: true })).toBeVisible()
  const rendered = await page.getByRole('heading', { level: 2 }).allTextContents()
  expect(rendered.filter((heading) => /^(GET|POST|PUT|PATCH|DELETE) /.test(heading)).sort()).toEqual([...operations].sort())
})
