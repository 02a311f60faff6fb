// Helpers for the browser suite: unique people, each from their own client address so per-IP throttles
// (sign-ups, failed sign-ins) count every test separately, as they would count separate people.
import { randomUUID } from 'node:crypto'
import { expect, type Locator, type Page } from '@playwright/test'

export type Person = { name: string; email: string; password: string }

let counter = 0
function uniqueAddress(): string {
  counter += 1
  return `10.${process.pid % 250}.${Math.floor(counter / 250)}.${counter % 250}`
}

export async function asNewVisitor(page: Page): Promise<void> {
  await page.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueAddress() })
}

export function newPerson(): Person {
  const id = randomUUID().slice(0, 8)
  return { name: `Tester ${id}`, email: `tester-${id}@example.test`, password: `pw-${randomUUID()}` }
}

export async function signUp(page: Page, person: Person = newPerson()): Promise<Person> {
  await asNewVisitor(page)
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(person.name)
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await submit(page.getByRole('button', { name: 'Create account' }))
  await expect(page).toHaveURL(/\/dashboard$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible()
  return person
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

/** The form-level alert inside the page (Next's route announcer is a role=alert too, outside <main>). */
export const alertIn = (page: Page) => page.locator('main').getByRole('alert')
export const statusIn = (page: Page) => page.locator('main').getByRole('status')

/** Creates an API token through the tokens page and returns it as shown once. */
export async function createToken(page: Page, name: string, scopes: string[]): Promise<string> {
  await page.goto('/dashboard/settings/tokens')
  await page.getByLabel('Name').fill(name)
  for (const scope of ['projects:read', 'projects:write']) await page.getByLabel(scope).setChecked(scopes.includes(scope))
  await submit(page.getByRole('button', { name: 'Create token' }))
  await expect(statusIn(page)).toContainText('Copy this token now')
  const token = await page.getByLabel('New token').inputValue()
  expect(token).toMatch(/^tf_[A-Za-z0-9_-]{32}$/)
  return token
}
