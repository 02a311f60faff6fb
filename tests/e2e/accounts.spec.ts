// The account lifecycle end to end, reading the real mail the server sent through SMTP: confirming the address after
// sign-up, "forgot password?" through to signing in with the new one, changing the password, the sessions list with a
// second browser signed out from the first, and deleting the account. With JavaScript on and again with it off.
import { createHash } from 'node:crypto'
import { type Browser, expect, type Page, test } from '@playwright/test'
import { accountLinkTo, alertIn, freshPage, type Member, signIn, signUp, sql, statusIn, submit, WORKSPACE_HOME } from './support'

test.describe.configure({ timeout: 150_000 })

/** Signs `person` in on a page of a browser of its own (a second device). */
async function secondDevice(browser: Browser, person: Member): Promise<Page> {
  const page = await freshPage(browser)
  await page.goto('/sign-in')
  await signIn(page, person)
  await expect(page).toHaveURL(WORKSPACE_HOME)
  return page
}

/** Whether the page's browser is still signed in: the settings page sends a signed-out browser to sign in. */
async function expectSignedOut(page: Page) {
  await page.goto('/settings/account')
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Faccount$/)
}

const notice = (page: Page) => page.getByRole('region', { name: 'Confirm your address' })

test('sign-up sends a confirmation e-mail; following it confirms the address and the notice goes', async ({ page }) => {
  const me = await signUp(page)
  await expect(notice(page)).toContainText('Please confirm your e-mail address')
  const { path, mail } = await accountLinkTo(me.email, /^Confirm your e-mail address/, '/verify-email')
  expect(mail.text).toContain(`Please confirm that ${me.email} is your address on Twofold.`)
  expect(mail.text).toMatch(/The link works once and expires on .+ UTC\./)
  await page.goto(path)
  await submit(page.getByRole('button', { name: 'Confirm my address' }))
  await expect(statusIn(page)).toHaveText(`Confirmed: your address is ${me.email}.`)
  await page.goto(`/w/${me.workspace}`)
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible()
  await expect(notice(page)).toHaveCount(0)
  // The link works once.
  await page.goto(path)
  await submit(page.getByRole('button', { name: 'Confirm my address' }))
  await expect(alertIn(page)).toContainText('This link has expired or was already used.')
  await page.goto('/settings/account')
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible()
})

test('the notice can be dismissed, and the e-mail sent again from settings', async ({ page }) => {
  const me = await signUp(page)
  await submit(notice(page).getByRole('button', { name: 'Dismiss' }))
  await expect(page).toHaveURL(new RegExp(`/w/${me.workspace}$`))
  await expect(notice(page)).toHaveCount(0)
  await page.goto('/settings/account')
  await expect(page.getByText('Not confirmed', { exact: true })).toBeVisible()
  await submit(page.getByRole('button', { name: 'Send the confirmation e-mail again' }))
  // The first e-mail was sent at sign-up, less than a minute ago.
  await expect(alertIn(page)).toContainText('A confirmation e-mail was just sent.')
})

test('forgot password: the same answer, a mailed link, a new password; every session ends and the new one signs in', async ({
  page,
  browser,
}) => {
  const me = await signUp(page)
  const other = await freshPage(browser)
  await other.goto('/sign-in')
  await other.getByRole('link', { name: 'Forgot password?' }).click()
  await expect(other.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible()
  await other.getByLabel('Email').fill(me.email)
  await submit(other.getByRole('button', { name: 'Send me a link' }))
  const answer = 'If an account exists for that address, we have sent it a link to choose a new password. The link works for one hour.'
  await expect(statusIn(other)).toHaveText(answer)
  // An address without an account gets the very same answer.
  await other.getByLabel('Email').fill(`nobody-${me.email}`)
  await submit(other.getByRole('button', { name: 'Send me a link' }))
  await expect(statusIn(other)).toHaveText(answer)

  const { path, mail } = await accountLinkTo(me.email, /^Reset your Twofold password$/, '/reset-password')
  expect(mail.text).toContain('Setting a new password signs your account out everywhere.')
  await other.goto(path)
  const newPassword = `new-${me.password}`
  await other.getByLabel('New password').fill(newPassword)
  await submit(other.getByRole('button', { name: 'Set new password' }))
  await expect(other).toHaveURL(/\/sign-in\?reset=1$/)
  await expect(statusIn(other)).toContainText('Your password was changed')
  // The browser that was signed in before the reset is signed out.
  await expectSignedOut(page)
  // The old password no longer works; the new one does.
  await signIn(other, me)
  await expect(alertIn(other)).toHaveText('Wrong email or password.')
  await signIn(other, { ...me, password: newPassword })
  await expect(other).toHaveURL(WORKSPACE_HOME)
  // The link worked once.
  await other.goto(path)
  await expect(alertIn(other)).toContainText('This link has expired or was already used.')
})

test('changing the password needs the current one and signs every other device out', async ({ page, browser }) => {
  const me = await signUp(page)
  const phone = await secondDevice(browser, me)
  await page.goto('/settings/account')
  await page.getByLabel('Current password').fill('not my password')
  await page.getByLabel('New password').fill('a whole new password')
  await submit(page.getByRole('button', { name: 'Change password' }))
  await expect(page.getByText('That is not your current password.')).toBeVisible()
  await page.getByLabel('Current password').fill(me.password)
  await page.getByLabel('New password').fill('a whole new password')
  await submit(page.getByRole('button', { name: 'Change password' }))
  await expect(statusIn(page)).toHaveText('Password changed. 1 other session signed out.')
  await expectSignedOut(phone)
  // This device stays signed in.
  await page.goto('/settings/account')
  await expect(page.getByRole('heading', { level: 1, name: 'Account and security' })).toBeVisible()
})

test('the sessions list shows each device; one signs the other out', async ({ page, browser }) => {
  const me = await signUp(page)
  const phone = await secondDevice(browser, me)
  await page.goto(`/w/${me.workspace}`)
  await page.getByRole('link', { name: me.email }).click()
  await expect(page).toHaveURL(/\/settings\/account$/)
  const rows = page.getByRole('region', { name: 'Where you are signed in' }).getByRole('row')
  // A header row and two sessions, this device first.
  await expect(rows).toHaveCount(3)
  await expect(rows.nth(1)).toContainText('This device')
  await expect(rows.nth(1)).toContainText('Chrome')
  await expect(rows.nth(2)).not.toContainText('This device')
  await submit(page.getByRole('button', { name: 'Sign out of all other devices' }))
  await expect(statusIn(page)).toHaveText('1 other session signed out.')
  await expect(rows).toHaveCount(2)
  await expectSignedOut(phone)
})

test('deleting the account needs the password, signs out and says so; the account is gone', async ({ page }) => {
  const me = await signUp(page)
  await page.goto('/settings/account')
  await page.getByLabel('Confirm with your password').fill('not my password')
  await submit(page.getByRole('button', { name: 'Delete my account' }))
  await expect(page.getByText('That is not your password.')).toBeVisible()
  await page.getByLabel('Confirm with your password').fill(me.password)
  await submit(page.getByRole('button', { name: 'Delete my account' }))
  await expect(page).toHaveURL(/\/account-deleted$/)
  await expect(page.getByRole('heading', { name: 'Your account was deleted' })).toBeVisible()
  await expectSignedOut(page)
  await page.goto('/sign-in')
  await signIn(page, me)
  await expect(alertIn(page)).toHaveText('Wrong email or password.')
})

test('a reset link older than an hour opens no form (PostgreSQL only: the test ages the link in the database)', async ({ page }) => {
  const me = await signUp(page)
  await page.goto('/forgot-password')
  await page.getByLabel('Email').fill(me.email)
  await submit(page.getByRole('button', { name: 'Send me a link' }))
  const { path } = await accountLinkTo(me.email, /^Reset your Twofold password$/, '/reset-password')
  const secret = new URL(path, 'http://x').searchParams.get('token') ?? ''
  const aged = await sql(`update verification set expires_at = now() - interval '1 second' where identifier = $1 returning id`, [
    `reset-password:${createHash('sha256').update(secret).digest('hex')}`,
  ])
  expect(aged).toHaveLength(1)
  await page.goto(path)
  await expect(alertIn(page)).toContainText('This link has expired or was already used.')
  await expect(page.getByLabel('New password')).toHaveCount(0)
})
