// Workspaces and invitations end to end: an owner invites by e-mail, the mail leaves the server through real SMTP
// (tests/e2e/smtp-sink.mjs), and the invitee follows the link in it, signed out, signed in or as someone else.
// Run with JavaScript on and again with it off: every step is a plain form or link.
import { expect, type Page, test } from '@playwright/test'
import {
  alertIn,
  confirmAndSubmit,
  confirmOpener,
  fillSignUp,
  freshPage,
  type Member,
  mailTo,
  newPerson,
  type Person,
  signIn,
  signUp,
  sql,
  statusIn,
  submit,
} from './support'

// Two or three people sign up, an e-mail goes through SMTP: more steps than one person's spec, so more time.
test.describe.configure({ timeout: 150_000 })

/** The owner, on the Members page, invites `email`; returns the invitation link's path from the mail. */
async function invite(page: Page, owner: Member, email: string, role = 'member'): Promise<string> {
  await page.goto(`/w/${owner.workspace}/settings/members`)
  await expect(page.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible()
  await page.getByLabel('Email', { exact: true }).fill(email)
  await page.getByLabel('Role', { exact: true }).selectOption(role)
  await submit(page.getByRole('button', { name: 'Send invitation' }))
  await expect(statusIn(page)).toHaveText(
    `Invitation saved for ${email}. The e-mail is on its way; if it cannot be sent now, it will be retried.`,
  )
  const { path, mail } = await mailTo(email)
  expect(mail.subject).toContain(`${owner.name} invited you to`)
  expect(mail.text).toContain(`as a${role === 'admin' ? 'n' : ''} ${role}`)
  return path
}

/** A new person follows the link signed out, creates an account on the way and accepts. */
async function joinWithNewAccount(page: Page, path: string, person: Person, owner: Member): Promise<void> {
  await page.goto(path)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Join /)
  await expect(page.locator('main')).toContainText(`${owner.name} invited ${person.email} as`)
  await page.getByRole('link', { name: 'Create an account' }).click()
  await expect(page).toHaveURL(/\/sign-up\?next=/)
  await fillSignUp(page, person)
  await submit(page.getByRole('button', { name: 'Create account' }))
  await expect(page).toHaveURL(new RegExp(`${path}$`))
  await submit(page.getByRole('button', { name: 'Accept invitation' }))
  await expect(page).toHaveURL(new RegExp(`/w/${owner.workspace}\\?joined=1$`))
}

test('an invitation by e-mail: a new person creates an account on the way, joins, and the link is used up', async ({ browser, page }) => {
  const owner = await signUp(page)
  await page.getByLabel('Name').fill('Shared plan')
  await submit(page.getByRole('button', { name: 'Create project' }))
  await expect(statusIn(page)).toHaveText('Project created.')
  const invitee = newPerson()
  const path = await invite(page, owner, invitee.email)
  // The owner sees it pending until it is accepted.
  await expect(page.locator('main')).toContainText(invitee.email)

  const theirs = await freshPage(browser)
  await joinWithNewAccount(theirs, path, invitee, owner)
  await expect(statusIn(theirs)).toHaveText(/^You joined .+\.$/)
  await expect(theirs.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible()
  await expect(theirs.getByRole('link', { name: 'Shared plan' })).toBeVisible()

  // The link works once.
  await theirs.goto(path)
  await expect(alertIn(theirs)).toContainText('This invitation has already been used.')
  await expect(theirs.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0)
  const stranger = await freshPage(browser)
  await stranger.goto(path)
  await expect(alertIn(stranger)).toContainText('This invitation has already been used.')

  // The owner now sees them as a member.
  await page.goto(`/w/${owner.workspace}/settings/members`)
  await expect(page.getByLabel(`Role for ${invitee.email}`)).toHaveValue('member')
  await theirs.context().close()
  await stranger.context().close()
})

test('a person who already has an account signs in on the way and accepts', async ({ browser, page }) => {
  const owner = await signUp(page)
  const theirs = await freshPage(browser)
  const invitee = await signUp(theirs)
  await submit(theirs.getByRole('button', { name: 'Sign out' }))
  await expect(theirs).toHaveURL(/\/sign-in$/)

  const path = await invite(page, owner, invitee.email, 'admin')
  await theirs.goto(path)
  await expect(theirs.locator('main')).toContainText(`${owner.name} invited ${invitee.email} as an admin.`)
  await theirs.getByRole('link', { name: 'Sign in to accept' }).click()
  await expect(theirs).toHaveURL(/\/sign-in\?next=/)
  await signIn(theirs, invitee)
  await expect(theirs).toHaveURL(new RegExp(`${path}$`))
  await submit(theirs.getByRole('button', { name: 'Accept invitation' }))
  await expect(theirs).toHaveURL(new RegExp(`/w/${owner.workspace}\\?joined=1$`))
  await expect(statusIn(theirs)).toHaveText(/^You joined .+\.$/)
  // As an admin they manage members too, and their own workspace is still theirs.
  await theirs.goto(`/w/${owner.workspace}/settings/members`)
  await expect(theirs.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible()
  expect((await theirs.goto(`/w/${invitee.workspace}`))?.status()).toBe(200)
  await theirs.context().close()
})

test('a revoked invitation says it was withdrawn', async ({ browser, page }) => {
  const owner = await signUp(page)
  const invitee = newPerson()
  const path = await invite(page, owner, invitee.email)
  await submit(page.getByRole('button', { name: `Revoke invitation for ${invitee.email}` }))
  await expect(page.getByRole('button', { name: `Revoke invitation for ${invitee.email}` })).toHaveCount(0)

  const theirs = await freshPage(browser)
  await theirs.goto(path)
  await expect(alertIn(theirs)).toContainText('This invitation was withdrawn.')
  await expect(theirs.getByRole('link', { name: 'Create an account' })).toHaveCount(0)
  await theirs.context().close()
})

test('signed in as someone else: the page says whom the invitation is for and how to switch, with no Accept button', async ({
  browser,
  page,
}) => {
  const owner = await signUp(page)
  const invitee = newPerson()
  const path = await invite(page, owner, invitee.email)

  const other = await freshPage(browser)
  const someoneElse = await signUp(other)
  await other.goto(path)
  const forOther = `This invitation is for ${invitee.email}, and you are signed in as ${someoneElse.email}`
  await expect(alertIn(other).filter({ hasText: forOther })).toHaveCount(1)
  await expect(other.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0)
  // A personal workspace bears its owner's name: the page does not read "Join Ada King".
  await expect(other.getByRole('heading', { level: 1 })).toHaveText(`Join ${owner.name}’s workspace`)
  // Switching account comes back to the invitation, where the invited person can sign in and accept.
  await submit(alertIn(other).getByRole('button', { name: 'Sign out and switch account' }))
  await expect(other).toHaveURL(new RegExp(`${path}$`))
  await expect(other.getByRole('link', { name: 'Sign in to accept' })).toBeVisible()
  await other.getByRole('link', { name: 'Sign in to accept' }).click()
  await signIn(other, someoneElse)
  await expect(other).toHaveURL(new RegExp(`${path}$`))
  // They did not join: the workspace is not theirs to see.
  expect((await other.goto(`/w/${owner.workspace}`))?.status()).toBe(404)
  // The invitation is still open for the right person.
  await page.goto(`/w/${owner.workspace}/settings/members`)
  await expect(page.getByRole('button', { name: `Revoke invitation for ${invitee.email}` })).toBeVisible()
  await other.context().close()
})

test('an expired invitation says so (PostgreSQL only: ages the row in the server database)', async ({ browser, page }) => {
  const owner = await signUp(page)
  const invitee = newPerson()
  const path = await invite(page, owner, invitee.email)
  // Seven days cannot pass in a test: the row is aged where the server keeps it.
  const aged = await sql(`update invitations set expires_at = now() - interval '1 minute' where email = $1 returning id`, [invitee.email])
  expect(aged).toHaveLength(1)

  const theirs = await freshPage(browser)
  await theirs.goto(path)
  await expect(alertIn(theirs)).toContainText('This invitation has expired.')
  await expect(theirs.getByRole('link', { name: 'Create an account' })).toHaveCount(0)
  await page.reload()
  await expect(page.locator('main')).toContainText(/expired/i)
  await theirs.context().close()
})

test('an owner changes a member’s role and removes them; the last owner cannot leave', async ({ browser, page }) => {
  const owner = await signUp(page)
  const member = newPerson()
  const path = await invite(page, owner, member.email)
  const theirs = await freshPage(browser)
  await joinWithNewAccount(theirs, path, member, owner)

  await page.goto(`/w/${owner.workspace}/settings/members`)
  const role = page.getByLabel(`Role for ${member.email}`)
  await expect(role).toHaveValue('member')
  await role.selectOption('admin')
  const row = page.getByRole('listitem').filter({ has: role })
  await submit(row.getByRole('button', { name: 'Change role' }))
  await page.reload()
  await expect(page.getByLabel(`Role for ${member.email}`)).toHaveValue('admin')
  // The new admin's next request has the new role: they see the Members page.
  await theirs.goto(`/w/${owner.workspace}/settings/members`)
  await expect(theirs.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible()

  await confirmAndSubmit(confirmOpener(page, `Remove ${member.email}`), 'Remove member')
  await expect(page.getByLabel(`Role for ${member.email}`)).toHaveCount(0)
  await expect(confirmOpener(page, `Remove ${member.email}`)).toHaveCount(0)
  // Removal takes effect at once: their next visit is a 404.
  expect((await theirs.goto(`/w/${owner.workspace}`))?.status()).toBe(404)

  // The owner is the last one: leaving is refused, with the reason.
  await page.goto(`/w/${owner.workspace}/settings`)
  await expect(page.getByRole('heading', { level: 1, name: 'Workspace settings' })).toBeVisible()
  await confirmAndSubmit(confirmOpener(page, 'Leave workspace…'), 'Leave workspace')
  await expect(alertIn(page)).toContainText('A workspace needs an owner')
  expect((await page.goto(`/w/${owner.workspace}`))?.status()).toBe(200)
  await theirs.context().close()
})
