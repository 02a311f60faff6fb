// Helpers for the browser suite: unique people, each from their own client address so per-IP throttles
// (sign-ups, failed sign-ins) count every test separately, as they would count separate people; the mail the
// server sent (through SMTP to tests/e2e/smtp-sink.mjs); the server's database, for what a browser cannot do.
import { randomUUID } from 'node:crypto'
import { type Browser, expect, type Locator, type Page, test } from '@playwright/test'
import pg from 'pg'

export type Person = { name: string; email: string; password: string }
/** A person with an account: `workspace` is the slug of the personal workspace sign-up made for them. */
export type Member = Person & { workspace: string }

let counter = 0
function uniqueAddress(): string {
  counter += 1
  return `10.${process.pid % 250}.${Math.floor(counter / 250)}.${counter % 250}`
}

export async function asNewVisitor(page: Page): Promise<void> {
  await page.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueAddress() })
}

/** A page in a browser context of its own (no cookies shared: a second person or device), with this project's JavaScript setting. */
export async function freshPage(browser: Browser): Promise<Page> {
  const { baseURL, javaScriptEnabled } = test.info().project.use
  const context = await browser.newContext({ baseURL, javaScriptEnabled })
  const page = await context.newPage()
  await asNewVisitor(page)
  return page
}

export function newPerson(): Person {
  const id = randomUUID().slice(0, 8)
  return { name: `Tester ${id}`, email: `tester-${id}@example.test`, password: `pw-${randomUUID()}` }
}

/** Signs up (as a new visitor) and lands in the personal workspace: /dashboard redirects to /w/{slug}. */
export async function signUp(page: Page, person: Person = newPerson()): Promise<Member> {
  await asNewVisitor(page)
  await page.goto('/sign-up')
  await fillSignUp(page, person)
  await submit(page.getByRole('button', { name: 'Create account' }))
  await expect(page).toHaveURL(WORKSPACE_HOME)
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible()
  return { ...person, workspace: workspaceOf(page) }
}

/** Fills the sign-up form that is on the page (the caller submits it). */
export async function fillSignUp(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Name').fill(person.name)
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
}

/** Signs in with the form on the page (the caller checks where it lands). */
export async function signIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await submit(page.getByRole('button', { name: 'Sign in' }))
}

/** A workspace's home, /w/{slug}, with nothing after it but an optional query. */
export const WORKSPACE_HOME = /\/w\/[a-z0-9-]+(\?.*)?$/

/** The workspace slug in the page's URL (/w/{slug}/…). */
export function workspaceOf(page: Page): string {
  const slug = new URL(page.url()).pathname.match(/^\/w\/([a-z0-9-]+)/)?.[1]
  if (!slug || slug === 'new') throw new Error(`not on a workspace page: ${page.url()}`)
  return slug
}

/**
 * Clicks a submit button and waits until the server has answered and the form is idle again, with JavaScript
 * on or off. Without this, a message left from the previous submission could satisfy the next assertion early,
 * and typing into a form React is about to reset after a pending action would be lost.
 */
export async function submit(button: Locator): Promise<void> {
  const page = button.page()
  // The answer's headers are enough: the button stays disabled (pending) until React has applied the result.
  // (Its body can stay unread: after a redirect, Next's router abandons the action's stream.)
  const answered = page.waitForResponse((response) => response.request().method() === 'POST')
  await button.click()
  await answered
  await expect(page.locator('button[type=submit][disabled]')).toHaveCount(0)
}

/**
 * A destructive action behind its confirmation (components/ui/confirm.tsx): opens the disclosure, ticks the box and
 * submits, with JavaScript on or off.
 */
export async function confirmAndSubmit(opener: Locator, button: string): Promise<void> {
  await opener.click()
  const panel = opener.locator('xpath=..')
  await panel.getByRole('checkbox').check()
  await submit(panel.getByRole('button', { name: button }))
}

/** The summary that opens a confirmation, by its accessible name. */
export const confirmOpener = (scope: Page | Locator, name: string) =>
  scope
    .locator('summary')
    .filter({ hasText: name })
    .or(scope.locator(`summary[aria-label="${name}"]`))
    .first()

/** The form-level alert inside the page (Next's route announcer is a role=alert too, outside <main>). */
export const alertIn = (page: Page) => page.locator('main').getByRole('alert')
export const statusIn = (page: Page) => page.locator('main').getByRole('status')

/** Creates an API token through the tokens page and returns it as shown once. */
export async function createToken(page: Page, workspace: string, name: string, scopes: string[]): Promise<string> {
  await page.goto(`/w/${workspace}/settings/tokens`)
  await page.getByLabel('Name').fill(name)
  for (const scope of ['projects:read', 'projects:write', 'members:read']) {
    await page.getByLabel(scope).setChecked(scopes.includes(scope))
  }
  await submit(page.getByRole('button', { name: 'Create token' }))
  await expect(statusIn(page)).toContainText('Copy this token now')
  const token = await page.getByLabel('New token').inputValue()
  expect(token).toMatch(/^tf_[A-Za-z0-9_-]{32}$/)
  return token
}

/**
 * Upgrades the workspace to Pro the way an owner does, through the simulated Stripe Checkout of the stand-in the
 * config starts: for specs that need more than Free's three projects or members.
 */
export async function upgradeToPro(page: Page, workspace: string): Promise<void> {
  await page.goto(`/w/${workspace}/settings/billing`)
  await submit(page.getByRole('button', { name: 'Upgrade to Pro' }))
  await expect(page).toHaveURL(/\/checkout\/cs_test_[0-9a-f]+$/)
  await submit(page.getByRole('button', { name: 'Pay' }))
  // The webhook's event is applied by the billing worker; until then the page reloads itself every two seconds.
  await expect(page.getByTestId('plan-name')).toHaveText('Pro', { timeout: 30_000 })
}

// Where the smtp sink serves what it received (see playwright.config.ts).
const smtpHttpPort = Number(process.env.E2E_SMTP_HTTP_PORT ?? Number(process.env.E2E_SMTP_PORT ?? 3125) + 1)
export type ReceivedMail = { to: string[]; subject: string; text: string; html: string }

/** Every message the server has sent to `email` so far, oldest first. */
export async function mailsTo(email: string): Promise<ReceivedMail[]> {
  const response = await fetch(`http://127.0.0.1:${smtpHttpPort}/messages?to=${encodeURIComponent(email)}`)
  if (!response.ok) throw new Error(`smtp sink answered ${response.status}`)
  return (await response.json()) as ReceivedMail[]
}

/**
 * Waits until the server's mail to `email` has arrived through SMTP (the `count`-th one: 1 for the first) and
 * returns the invitation link in its text body as a path, /invitations/{token}.
 */
export async function mailTo(email: string, count = 1): Promise<{ path: string; mail: ReceivedMail }> {
  // Only invitations count: signing up sends the address its own confirmation e-mail.
  const mail = await nthMail(email, count, /invited you/)
  const link = mail.text.match(/https?:\/\/\S+(\/invitations\/[A-Za-z0-9_-]+)/)
  if (!link?.[1]) throw new Error(`no invitation link in the mail to ${email}:\n${mail.text}`)
  return { path: link[1], mail }
}

/** Waits for the `count`-th mail to `email` whose subject matches. */
async function nthMail(email: string, count: number, subject: RegExp): Promise<ReceivedMail> {
  let mails: ReceivedMail[] = []
  await expect
    .poll(
      async () => {
        mails = (await mailsTo(email)).filter((m) => subject.test(m.subject))
        return mails.length
      },
      { message: `mail to ${email} about ${subject}`, timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(count)
  return mails[count - 1] as ReceivedMail
}

/**
 * Waits for the `count`-th account e-mail to `email` whose subject matches and returns its link to `path` (with the
 * token in its query) as a path and query.
 */
export async function accountLinkTo(
  email: string,
  subject: RegExp,
  path: string,
  count = 1,
): Promise<{ path: string; mail: ReceivedMail }> {
  const mail = await nthMail(email, count, subject)
  const link = mail.text.match(new RegExp(`https?://\\S+?(${path}\\?token=[A-Za-z0-9_-]+)`))
  if (!link?.[1]) throw new Error(`no ${path} link in the mail to ${email}:\n${mail.text}`)
  return { path: link[1], mail }
}

/**
 * The server's database when it is one a test can open too (PostgreSQL), else null (the server's in-memory
 * PGlite): the same choice as playwright.config.ts makes.
 */
export function serverDatabaseUrl(): string | null {
  const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined
  const database = process.env.E2E_DATABASE_URL || postgres || 'memory://'
  return /^postgres(ql)?:\/\//.test(database) ? database : null
}

/** Runs one statement against the server's PostgreSQL database and returns the rows. */
export async function sql(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const url = serverDatabaseUrl()
  if (!url) throw new Error('the server database is in-memory PGlite: this test is PostgreSQL only')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}
