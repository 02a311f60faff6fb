// People sign up, manage projects and sign out; run with JavaScript on and again with it off.
import { expect, test } from '@playwright/test'
import { alertIn, asNewVisitor, createToken, newPerson, signUp, statusIn, submit, upgradeToPro } from './support'

test('a new person signs up, creates, renames and deletes a project, and signs out', async ({ page }) => {
  const { workspace } = await signUp(page)
  await expect(page.getByText('No projects yet.')).toBeVisible()

  await page.getByLabel('Name').fill('  Launch plan  ')
  await page.getByLabel('Description').fill('Everything for the launch')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await expect(statusIn(page)).toHaveText('Project created.')
  await expect(page.getByLabel('Name')).toHaveValue('')
  await page.getByRole('link', { name: 'Launch plan' }).click()

  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/projects/[0-9a-f-]{36}$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Launch plan')
  await page.getByLabel('Name').fill('   ')
  await page.getByLabel('Description').fill('Keep what I typed')
  await submit(page.getByRole('button', { name: 'Save changes' }))
  await expect(page.locator('#name-error')).toHaveText('Name is required.')
  await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByLabel('Description')).toHaveValue('Keep what I typed')

  await page.getByLabel('Name').fill('Launch plan v2')
  await submit(page.getByRole('button', { name: 'Save changes' }))
  await expect(statusIn(page)).toHaveText('Saved.')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Launch plan v2')
  await expect(page.getByLabel('Description')).toHaveValue('Keep what I typed')

  await page.getByText('Delete project').click()
  await page.getByLabel('I understand this cannot be undone').check()
  await submit(page.getByRole('button', { name: 'Delete permanently' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}\\?deleted=`))
  await expect(statusIn(page)).toHaveText('Deleted “Launch plan v2”.')
  await expect(page.getByText('No projects yet.')).toBeVisible()

  await submit(page.getByRole('button', { name: 'Sign out' }))
  await expect(page).toHaveURL(/\/sign-in$/)
  await page.goto('/dashboard')
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard$/)
})

test('projects are listed newest first', async ({ page }) => {
  await signUp(page)
  for (const name of ['First', 'Second', 'Third']) {
    await page.getByLabel('Name').fill(name)
    await submit(page.getByRole('button', { name: 'Create project' }))
    await expect(statusIn(page)).toHaveText('Project created.')
  }
  await expect(page.locator('.project-list li a')).toHaveText(['Third', 'Second', 'First'])
})

test('sign-up shows field errors and keeps what was typed, never the password', async ({ page }) => {
  await asNewVisitor(page)
  const person = newPerson()
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(person.name)
  await page.getByLabel('Email').fill('not-an-email')
  await page.getByLabel('Password').fill('short')
  await submit(page.getByRole('button', { name: 'Create account' }))
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address.')
  await expect(page.locator('#password-error')).toHaveText('Password must be at least 8 characters.')
  await expect(page.getByLabel('Name')).toHaveValue(person.name)
  await expect(page.getByLabel('Email')).toHaveValue('not-an-email')
  await expect(page.getByLabel('Password')).toHaveValue('')
})

test('a wrong password gets one message, and signing in returns to the page asked for', async ({ page }) => {
  const person = await signUp(page)
  await submit(page.getByRole('button', { name: 'Sign out' }))
  await expect(page).toHaveURL(/\/sign-in$/)

  await page.goto(`/w/${person.workspace}/settings/tokens`)
  await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=%2Fw%2F${person.workspace}%2Fsettings%2Ftokens$`))
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill('not-the-password')
  await submit(page.getByRole('button', { name: 'Sign in' }))
  await expect(alertIn(page)).toHaveText('Wrong email or password.')
  await expect(page.getByLabel('Email')).toHaveValue(person.email)

  // An unknown address gets the very same message: nothing says which accounts exist.
  await page.getByLabel('Email').fill(newPerson().email)
  await page.getByLabel('Password').fill('whatever-password')
  await submit(page.getByRole('button', { name: 'Sign in' }))
  await expect(alertIn(page)).toHaveText('Wrong email or password.')

  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await submit(page.getByRole('button', { name: 'Sign in' }))
  await expect(page).toHaveURL(new RegExp(`/w/${person.workspace}/settings/tokens$`))
  await expect(page.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible()
})

test('repeated wrong passwords are throttled', async ({ page }) => {
  const person = await signUp(page)
  await submit(page.getByRole('button', { name: 'Sign out' }))
  await expect(page).toHaveURL(/\/sign-in$/)
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(`wrong-${attempt}`)
    await submit(page.getByRole('button', { name: 'Sign in' }))
    await expect(alertIn(page)).toHaveText(attempt < 5 ? 'Wrong email or password.' : /^Too many attempts/)
  }
  // Even the right password waits now.
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await submit(page.getByRole('button', { name: 'Sign in' }))
  await expect(alertIn(page)).toHaveText(/^Too many attempts\. Try again in \d+ minutes?\.$/)
})

test("another person's project is a 404", async ({ browser, page }) => {
  await signUp(page)
  await page.getByLabel('Name').fill('Private')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await page.getByRole('link', { name: 'Private' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Private')
  const url = page.url()

  const other = await browser.newPage()
  const stranger = await signUp(other)
  const response = await other.goto(url)
  expect(response?.status()).toBe(404)
  // Nor does the project show through the other person's own workspace.
  const throughOwn = await other.goto(url.replace(/\/w\/[a-z0-9-]+\//, `/w/${stranger.workspace}/`))
  expect(throughOwn?.status()).toBe(404)
  const malformed = await other.goto(`/w/${stranger.workspace}/projects/not-a-uuid`)
  expect(malformed?.status()).toBe(404)
  // Next.js renders a notFound() page's body only through JavaScript (vercel/next.js#98954); the status is right either way.
  if (test.info().project.name === 'javascript') await expect(other.getByRole('heading', { level: 1 })).toHaveText('Not found')
  await other.close()
})

test('a long list of projects pages through older ones', async ({ page, request }) => {
  const { workspace } = await signUp(page)
  // Fifty-one projects: beyond Free's three.
  await upgradeToPro(page, workspace)
  const token = await createToken(page, workspace, 'Seeder', ['projects:write'])
  for (let i = 0; i <= 50; i++) {
    const created = await request.post('/api/v1/projects', { headers: { Authorization: `Bearer ${token}` }, data: { name: `P${i}` } })
    expect(created.status()).toBe(201)
  }
  await page.goto(`/w/${workspace}`)
  const names = page.locator('.project-list li a')
  await expect(names).toHaveCount(50)
  const newest = await names.allTextContents()
  await page.getByRole('link', { name: 'Older projects' }).click()
  await expect(names).toHaveCount(1)
  await expect(page.getByRole('link', { name: 'Older projects' })).toHaveCount(0)
  // Together the two pages hold every project once (projects made in the same millisecond tie-break by id).
  const all = [...newest, ...(await names.allTextContents())]
  expect(all.sort()).toEqual(Array.from({ length: 51 }, (_, i) => `P${i}`).sort())
  await page.getByRole('link', { name: 'Newest projects' }).click()
  await expect(names).toHaveCount(50)
  // A hand-edited link starts again from the newest instead of failing.
  await page.goto(`/w/${workspace}?after=not-a-cursor`)
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}$`))
  await expect(names).toHaveCount(50)
})
