// Billing end to end, against the local Stripe stand-in (started by playwright.config.ts): a Free workspace hits its
// project limit, upgrades through the simulated Checkout, gets its fourth project, sees the banner when a payment
// fails, cancels, and is back on Free with everything it had. Runs with JavaScript on and off.
import { expect, type Page, test } from '@playwright/test'
import { alertIn, freshPage, signUp, statusIn, submit } from './support'

async function createProject(page: Page, workspace: string, name: string) {
  await page.goto(`/w/${workspace}`)
  await page.getByLabel('Name').fill(name)
  await submit(page.getByRole('button', { name: 'Create project' }))
}

const banner = (page: Page) => page.getByRole('alert', { name: 'Payment failed' })
const planName = (page: Page) => page.getByTestId('plan-name')

async function openPortal(page: Page, workspace: string) {
  await page.goto(`/w/${workspace}/settings/billing`)
  await submit(page.getByRole('button', { name: 'Manage billing' }))
  await expect(page).toHaveURL(/\/dev\/stripe\/portal\/cus_[0-9a-f]+$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customer portal (simulated)')
}

test('Free limit → upgrade through the simulated checkout → 4th project → failed payment banner → cancel → Free again, data kept', async ({
  page,
}) => {
  // The whole story in one test: some twenty page loads and three events through the webhook and the worker.
  test.slow()
  const { workspace } = await signUp(page)
  for (const name of ['One', 'Two', 'Three']) {
    await createProject(page, workspace, name)
    await expect(statusIn(page)).toHaveText('Project created.')
  }

  // The fourth: refused with a friendly message that leads to the billing page.
  await createProject(page, workspace, 'Four')
  await expect(alertIn(page)).toContainText('The Free plan includes 3 projects per workspace.')
  await alertIn(page).getByRole('link', { name: 'Upgrade to Pro' }).click()
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))
  await expect(planName(page)).toHaveText('Free')

  // Upgrade: Checkout (the stand-in's, simulated), pay, back on the billing page on Pro.
  await submit(page.getByRole('button', { name: 'Upgrade to Pro' }))
  await expect(page).toHaveURL(/\/dev\/stripe\/checkout\/cs_test_[0-9a-f]+$/)
  await submit(page.getByRole('button', { name: 'Pay' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing\\?checkout=success$`))
  await expect(statusIn(page)).toContainText('is on Pro')
  await expect(planName(page)).toHaveText('Pro')
  await expect(page.getByText('Renews on', { exact: true })).toBeVisible()

  await createProject(page, workspace, 'Four')
  await expect(statusIn(page)).toHaveText('Project created.')

  // A renewal fails: the banner shows across the workspace, linking the owner to billing.
  await openPortal(page, workspace)
  await submit(page.getByRole('button', { name: 'Simulate a failed payment' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))
  await expect(banner(page)).toContainText('The last payment for this workspace failed.')
  await expect(planName(page)).toHaveText('Pro')
  await page.goto(`/w/${workspace}`)
  await expect(banner(page)).toBeVisible()
  await banner(page).getByRole('link', { name: 'Update billing' }).click()
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))

  // Cancelled: Free again, the banner gone, all four projects still there, and a fifth refused.
  await openPortal(page, workspace)
  await submit(page.getByRole('button', { name: 'Cancel subscription' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))
  await expect(planName(page)).toHaveText('Free')
  await expect(banner(page)).toHaveCount(0)

  await page.goto(`/w/${workspace}`)
  await expect(page.locator('.project-list li a')).toHaveText(['Four', 'Three', 'Two', 'One'])
  await createProject(page, workspace, 'Five')
  await expect(alertIn(page)).toContainText('The Free plan includes 3 projects per workspace.')
  await expect(page.locator('.project-list li a')).toHaveCount(4)
})

test('the billing page is for owners; the simulator pages answer 404 to anyone else', async ({ page, browser }) => {
  const { workspace } = await signUp(page)
  await page.goto(`/w/${workspace}/settings/billing`)
  await submit(page.getByRole('button', { name: 'Upgrade to Pro' }))
  await expect(page).toHaveURL(/\/dev\/stripe\/checkout\/cs_test_[0-9a-f]+$/)
  const checkout = new URL(page.url()).pathname

  // Someone else, signed in, cannot see (or pay) this workspace's checkout.
  const other = await freshPage(browser)
  await signUp(other)
  const response = await other.goto(checkout)
  expect(response?.status()).toBe(404)
  await other.context().close()
})
