// The app's face at a phone's width and a laptop's, with JavaScript on and off: no signed-in page wider than the
// viewport, current tab and workspace marked, destructive actions behind a confirmation, axe with colour contrast in
// light and dark. Screenshots of every page at both widths are kept as test artifacts (testInfo.outputPath).
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page, test } from '@playwright/test'
import { confirmOpener, createToken, signUp, statusIn, submit, upgradeToPro } from './support'

const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'laptop', width: 1280, height: 800 },
] as const

const pagesOf = (slug: string) => [
  `/w/${slug}`,
  `/w/${slug}/activity`,
  `/w/${slug}/settings/members`,
  `/w/${slug}/settings/tokens`,
  `/w/${slug}/settings`,
  `/w/${slug}/settings/billing`,
  '/settings/account',
  '/w/new',
]

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

for (const size of WIDTHS) {
  test(`${size.name}: every signed-in page fits the viewport, passes axe in light and dark, and marks where you are`, async ({
    page,
    javaScriptEnabled,
  }, testInfo) => {
    test.setTimeout(180_000)
    await page.setViewportSize({ width: size.width, height: size.height })
    const person = await signUp(page)
    await createToken(page, person.workspace, 'A token with a rather long name for a phone', ['projects:read', 'projects:write'])
    for (const path of pagesOf(person.workspace)) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        await page.goto(path)
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow, `${path} is wider than ${size.width}px`).toBeLessThanOrEqual(0)
        // axe runs as a script in the page, so only with JavaScript on (the HTML is the same server render either way).
        if (javaScriptEnabled) expect(await seriousViolations(page), `${path} (${colorScheme})`).toEqual([])
        await page.screenshot({ path: testInfo.outputPath(`${size.name}-${colorScheme}${path.replaceAll('/', '_')}.png`), fullPage: true })
      }
    }
    // The current tab, and the current workspace in the switcher.
    await page.goto(`/w/${person.workspace}/settings/tokens`)
    const tabs = page.getByRole('navigation', { name: 'Workspace' })
    await expect(tabs.getByRole('link', { name: 'API tokens' })).toHaveAttribute('aria-current', 'page')
    await expect(tabs.getByRole('link', { name: 'Projects' })).not.toHaveAttribute('aria-current', /.+/)
    await expect(page.locator(`a[href="/w/${person.workspace}"][aria-current]`).first()).toHaveCount(1)
    // The skip link leads past the header.
    await expect(page.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#content')
  })
}

test('revoking a token needs its confirmation: the box unticked, nothing is revoked', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  const person = await signUp(page)
  await createToken(page, person.workspace, 'Careful', ['projects:read'])
  const row = page.getByRole('listitem').filter({ hasText: 'Careful' })
  await confirmOpener(row, 'Revoke Careful').click()
  const button = row.getByRole('button', { name: 'Revoke token' })
  await expect(button).toBeVisible()
  // The checkbox is required: the browser does not post the form (with JavaScript or without).
  await button.click()
  // A fresh GET, not reload(): without JavaScript the last request was the form's POST, and reloading would repeat it.
  await page.goto(`/w/${person.workspace}/settings/tokens`)
  await expect(page.getByRole('listitem').filter({ hasText: 'Careful' })).toContainText('Active')
  await confirmOpener(page.getByRole('listitem').filter({ hasText: 'Careful' }), 'Revoke Careful').click()
  await page.getByRole('checkbox', { name: 'Revoke this token' }).check()
  await submit(page.getByRole('button', { name: 'Revoke token' }))
  await expect(page.getByRole('listitem').filter({ hasText: 'Careful' })).toContainText('Revoked')
})

test('plans: a badge in the workspace bar, usage beside the forms that consume it, the plans side by side with Pro’s price', async ({
  page,
}) => {
  test.slow()
  const person = await signUp(page)
  const bar = page.getByTestId('workspace-bar')
  await expect(bar).toContainText('Free plan')
  await expect(page.getByTestId('usage-projects')).toHaveText(/^0 of 3 projects on Free\./)
  await page.getByLabel('Name').fill('Counted')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await expect(statusIn(page)).toHaveText('Project created.')
  await page.goto(`/w/${person.workspace}`)
  await expect(page.getByTestId('usage-projects')).toHaveText(/^1 of 3 projects on Free\./)
  await page.goto(`/w/${person.workspace}/settings/members`)
  await expect(page.getByTestId('usage-seats')).toContainText('1 of 3 seats on Free (open invitations hold a seat).')

  await page.goto(`/w/${person.workspace}/settings/billing`)
  // One heading for the plan, not "Plan" over "Plan".
  await expect(page.getByRole('heading', { name: 'Plan', exact: true })).toHaveCount(0)
  await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText(/ is on Free$/)
  await expect(page.getByTestId('usage')).toContainText('1 of 3 projects, 1 of 3 seats')
  // Free and Pro side by side, Pro at the price the configured Stripe price has (the stand-in's).
  await expect(page.getByRole('heading', { level: 3 })).toHaveText(['Free Current plan', 'Pro'])
  await expect(page.getByTestId('price-pro')).toHaveText('$12.00 a month')
  await expect(page.getByTestId('price-free')).toHaveText('$0.00 a month')

  await upgradeToPro(page, person.workspace)
  await expect(bar).toContainText('Pro plan')
  await page.goto(`/w/${person.workspace}`)
  await expect(page.getByTestId('usage-projects')).toHaveText(/^1 project on Pro\./)
})

test('a project without a description: name and date on lines of their own; the file input styled like the others; dates in one format', async ({
  page,
  javaScriptEnabled,
}) => {
  const person = await signUp(page)
  await page.getByLabel('Name').fill('Live in prod')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await expect(statusIn(page)).toHaveText('Project created.')
  await page.goto(`/w/${person.workspace}`)
  const item = page.locator('.project-list li').filter({ hasText: 'Live in prod' })
  const link = await item.getByRole('link', { name: 'Live in prod' }).boundingBox()
  const created = await item.getByText(/^Created /).boundingBox()
  expect(link && created && created.y >= link.y + link.height, 'the date starts below the name').toBe(true)
  // Its date is the one format, in <time datetime>.
  await expect(item.locator('time[datetime]')).toHaveCount(1)

  await item.getByRole('link', { name: 'Live in prod' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Live in prod')
  const look = (selector: string) =>
    page.locator(selector).evaluate((el) => {
      const style = getComputedStyle(el)
      return { border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor}`, radius: style.borderTopLeftRadius }
    })
  expect(await look('#field-file')).toEqual(await look('#field-name'))
  // A file's date is in the same format as a project's, in <time datetime>.
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') })
  await page.getByRole('button', { name: 'Upload', exact: true }).click()
  await expect(statusIn(page)).toHaveText(javaScriptEnabled ? 'Uploaded notes.txt.' : 'File uploaded.')
  const fileRow = page.getByRole('row', { name: /notes\.txt/ })
  await expect(fileRow.locator('time[datetime]')).toHaveCount(1)
  // Rendered in UTC on the server (said so), then in the viewer's zone once the page runs.
  if (javaScriptEnabled) await expect(fileRow.locator('time')).not.toContainText('UTC')
  else await expect(fileRow.locator('time')).toContainText('UTC')
  const projectPage = page.url()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.goto(projectPage)
    if (javaScriptEnabled) expect(await seriousViolations(page), `project page (${colorScheme})`).toEqual([])
  }

  // The account page's sessions: the same format, in <time datetime>.
  await page.goto('/settings/account')
  await expect(page.getByRole('region', { name: 'Where you are signed in' }).locator('time[datetime]').first()).toBeVisible()
})
