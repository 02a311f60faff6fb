// API tokens: minted in the browser, used from outside with plain HTTP, revoked in the browser.
import { expect, test } from '@playwright/test'
import { confirmAndSubmit, confirmOpener, createToken, signUp, submit } from './support'

test('a token made in the app works against the API until it is revoked', async ({ page, request }) => {
  const person = await signUp(page)
  const token = await createToken(page, person.workspace, 'Laptop script', ['projects:read', 'projects:write'])
  const auth = { Authorization: `Bearer ${token}` }

  const created = await request.post('/api/v1/projects', { headers: auth, data: { name: 'From the API' } })
  expect(created.status()).toBe(201)
  expect(created.headers().location).toMatch(/\/api\/v1\/projects\/[0-9a-f-]{36}$/)
  const listed = await request.get('/api/v1/projects', { headers: auth })
  expect(listed.status()).toBe(200)
  expect((await listed.json()).items.map((p: { name: string }) => p.name)).toEqual(['From the API'])
  const me = await request.get('/api/v1/me', { headers: auth })
  expect(await me.json()).toMatchObject({ user: { email: person.email }, token: { name: 'Laptop script' } })

  // What the API created is what the person sees.
  await page.goto(`/w/${person.workspace}`)
  await expect(page.getByRole('link', { name: 'From the API' })).toBeVisible()

  await page.goto(`/w/${person.workspace}/settings/tokens`)
  const row = page.getByRole('listitem').filter({ hasText: 'Laptop script' })
  await expect(row).toContainText('Active')
  await confirmAndSubmit(confirmOpener(row, 'Revoke Laptop script'), 'Revoke token')
  await expect(page.getByRole('listitem').filter({ hasText: 'Laptop script' })).toContainText('Revoked')

  const refused = await request.get('/api/v1/projects', { headers: auth })
  expect(refused.status()).toBe(401)
  expect(refused.headers()['www-authenticate']).toMatch(/^Bearer/)
  expect(refused.headers()['content-type']).toBe('application/problem+json')
})

test('a read-only token cannot write', async ({ page, request }) => {
  const { workspace } = await signUp(page)
  const token = await createToken(page, workspace, 'Reader', ['projects:read'])
  const response = await request.post('/api/v1/projects', { headers: { Authorization: `Bearer ${token}` }, data: { name: 'Nope' } })
  expect(response.status()).toBe(403)
  expect(await response.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 })
})

test('a token is created and revoked with the form alone', async ({ page }) => {
  const { workspace } = await signUp(page)
  await createToken(page, workspace, 'Plain form', ['projects:read'])
  await expect(page.getByRole('listitem').filter({ hasText: 'Plain form' })).toContainText('projects:read')
  await confirmAndSubmit(confirmOpener(page, 'Revoke Plain form'), 'Revoke token')
  await expect(page.getByRole('listitem').filter({ hasText: 'Plain form' })).toContainText('Revoked')
})

test('choosing no scope is refused next to the scopes', async ({ page }) => {
  const { workspace } = await signUp(page)
  // An old bookmark still leads to the tokens (the page moved into the workspace).
  await page.goto('/dashboard/settings/tokens')
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}(/settings/tokens)?$`))
  await page.goto(`/w/${workspace}/settings/tokens`)
  await page.getByLabel('Name').fill('Nothing')
  await page.getByLabel('projects:read').setChecked(false)
  await submit(page.getByRole('button', { name: 'Create token' }))
  await expect(page.locator('#scopes-error')).toHaveText('Choose at least one scope.')
  await expect(page.getByLabel('Name')).toHaveValue('Nothing')
})

test('the copy button puts the new token on the clipboard @needs-js', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL })
  const { workspace } = await signUp(page)
  const token = await createToken(page, workspace, 'Copied', ['projects:read'])
  await page.getByRole('button', { name: 'Copy', exact: true }).click()
  await expect(page.getByRole('button', { name: 'Copied', exact: true })).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token)
})

test('a valid session cookie does not open the API: only a token does', async ({ page }) => {
  const person = await signUp(page)
  // The browser's own request context carries the session cookie, and the cookie is good: Better Auth knows it.
  const session = await page.request.get('/api/auth/get-session')
  expect(session.status()).toBe(200)
  expect((await session.json()).user.email).toBe(person.email)

  const response = await page.request.get('/api/v1/projects')
  expect(response.status()).toBe(401)
  expect(response.headers()['content-type']).toBe('application/problem+json')
  expect(await response.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })
})
