// Billing end to end, against the local Stripe stand-in (started by playwright.config.ts): a Free workspace hits its
// project limit, upgrades through Checkout, gets its fourth project, sees the banner when a payment fails, cancels, and
// is back on Free with everything it had. Checkout and the customer portal are the stand-in's own pages, on its own
// origin as Stripe's are on Stripe's: the production build under test has no page that plays Stripe's part, and
// learns of each payment only from the signed event the stand-in delivers to its webhook. Runs with JavaScript on and off.
import { expect, type Page, test } from '@playwright/test'
import { alertIn, signUp, statusIn, submit } from './support'

async function createProject(page: Page, workspace: string, name: string) {
  await page.goto(`/w/${workspace}`)
  await page.getByLabel('Name').fill(name)
  await submit(page.getByRole('button', { name: 'Create project' }))
}

const banner = (page: Page) => page.getByRole('alert', { name: 'Payment failed' })
const planName = (page: Page) => page.getByTestId('plan-name')

const APP_PORT = Number(process.env.E2E_PORT ?? 3100)
/** The stand-in's pages: on an origin of their own (a port of 127.0.0.1 other than the app's). */
const standInPage = (kind: 'checkout' | 'portal') =>
  new RegExp(`^http://127\\.0\\.0\\.1:(?!${APP_PORT}/)\\d+/${kind}/${kind === 'checkout' ? 'cs_test' : 'bps'}_[0-9a-f]+$`)
/**
 * The event reaches the app through its webhook and the billing worker a moment after the stand-in has sent the browser
 * back, as with Stripe: reload until the page shows it, as the billing page itself tells a person to.
 */
async function reloadUntil(page: Page, shown: () => Promise<void>) {
  await expect(async () => {
    await page.reload()
    await shown()
  }).toPass({ timeout: 15_000 })
}

async function openPortal(page: Page, workspace: string) {
  await page.goto(`/w/${workspace}/settings/billing`)
  await submit(page.getByRole('button', { name: 'Manage billing' }))
  await expect(page).toHaveURL(standInPage('portal'))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customer portal (simulated)')
}

test('Free limit → upgrade through the stand-in’s checkout → 4th project → failed payment banner → cancel → Free again, data kept', async ({
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

  // Upgrade: Checkout (the stand-in's page), pay, back on the billing page, on Pro once the signed event is applied.
  await submit(page.getByRole('button', { name: 'Upgrade to Pro' }))
  await expect(page).toHaveURL(standInPage('checkout'))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Checkout (simulated)')
  await submit(page.getByRole('button', { name: 'Pay' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing\\?checkout=success(&waited=\\d+)?$`))
  // No reload by hand: until the event is applied, the page reloads itself (a meta refresh, with or without JavaScript).
  await expect(planName(page)).toHaveText('Pro', { timeout: 30_000 })
  await expect(statusIn(page)).toContainText('is on Pro')
  await expect(page.getByText('Renews on', { exact: true })).toBeVisible()

  await createProject(page, workspace, 'Four')
  await expect(statusIn(page)).toHaveText('Project created.')

  // A renewal fails: the banner shows across the workspace, linking the owner to billing.
  await openPortal(page, workspace)
  await submit(page.getByRole('button', { name: 'Simulate a failed payment' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))
  await reloadUntil(page, () => expect(banner(page)).toContainText('The last payment for this workspace failed.', { timeout: 1000 }))
  await expect(planName(page)).toHaveText('Pro')
  await page.goto(`/w/${workspace}`)
  await expect(banner(page)).toBeVisible()
  await banner(page).getByRole('link', { name: 'Update billing' }).click()
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))

  // Cancelled: Free again, the banner gone, all four projects still there, and a fifth refused.
  await openPortal(page, workspace)
  await submit(page.getByRole('button', { name: 'Cancel subscription' }))
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing$`))
  await reloadUntil(page, () => expect(planName(page)).toHaveText('Free', { timeout: 1000 }))
  await expect(banner(page)).toHaveCount(0)

  await page.goto(`/w/${workspace}`)
  await expect(page.locator('.project-list li a')).toHaveText(['Four', 'Three', 'Two', 'One'])
  await createProject(page, workspace, 'Five')
  await expect(alertIn(page)).toContainText('The Free plan includes 3 projects per workspace.')
  await expect(page.locator('.project-list li a')).toHaveCount(4)
})

test('Checkout is the stand-in’s own page: the app has none, and cancelling there leaves the workspace on Free', async ({ page }) => {
  const { workspace } = await signUp(page)
  await page.goto(`/w/${workspace}/settings/billing`)
  await submit(page.getByRole('button', { name: 'Upgrade to Pro' }))
  await expect(page).toHaveURL(standInPage('checkout'))
  const session = new URL(page.url()).pathname.split('/').at(-1) ?? ''

  // Where the app's simulator used to be, and the development tools' paths: not in a production build, even for the owner.
  for (const path of [`/dev/stripe/checkout/${session}`, '/dev/mailbox']) {
    expect((await page.request.get(path)).status()).toBe(404)
  }
  expect((await page.request.post('/api/dev/stripe/trigger', { data: { event: 'checkout.session.completed', workspace } })).status()).toBe(
    404,
  )

  await page.getByRole('link', { name: 'Cancel and go back' }).click()
  await expect(page).toHaveURL(new RegExp(`/w/${workspace}/settings/billing\\?checkout=canceled$`))
  await expect(statusIn(page)).toHaveText('Checkout was cancelled; nothing was charged.')
  await expect(planName(page)).toHaveText('Free')
})
