// The dashboard is live: a second tab sees a project created in the first appear, in its list and in the activity
// feed, without reloading. Needs script (EventSource), so it runs in the JavaScript project only.
import { expect, test } from '@playwright/test'
import { signUp, statusIn, submit } from './support'

test('a second tab sees a new project appear without a reload @needs-js', async ({ page }) => {
  const { workspace } = await signUp(page)
  const second = await page.context().newPage()
  await second.goto(`/w/${workspace}`)
  await expect(second.getByText('No projects yet.')).toBeVisible()
  await expect(second.locator('#live-activity .badge')).toHaveText('Live')
  // A reload would start a fresh document, and this mark with it.
  await second.evaluate(() => Object.assign(window, { stillTheSameDocument: true }))

  await page.getByLabel('Name').fill('Made in the first tab')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await expect(statusIn(page)).toHaveText('Project created.')

  await expect(second.getByRole('link', { name: 'Made in the first tab' })).toBeVisible()
  await expect(second.locator('.activity-list')).toContainText('created project “Made in the first tab”')
  expect(await second.evaluate(() => (window as unknown as { stillTheSameDocument?: boolean }).stillTheSameDocument)).toBe(true)

  // The activity page lists it too, linked from the workspace's navigation.
  await second.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Activity' }).click()
  await expect(second.getByRole('heading', { level: 1 })).toHaveText('Activity')
  await expect(second.locator('.activity-list li').first()).toContainText('created project “Made in the first tab”')
})
