// Signing in with an OpenID Connect provider in a real browser, with JavaScript on and off: the button, the
// provider's consent, the callback, a session in the personal workspace; and each way it can fail landing on the
// sign-in page with our words. The provider is tests/e2e/oidc-provider.mjs, told per visitor what to answer.
import { randomUUID } from 'node:crypto'
import { expect, type Page, test } from '@playwright/test'
import { alertIn, newPerson, signUp, sql, submit, WORKSPACE_HOME, workspaceOf } from './support'

const appPort = Number(process.env.E2E_PORT ?? 3100)
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? appPort + 90)
const BUTTON = 'Continue with Test SSO'

type Claims = { sub: string; email: string; email_verified: boolean | string; name: string }
type Scenario = { claims: Claims; deny?: boolean; tamperState?: boolean; replayCode?: boolean }

function someone(): Claims {
  const id = randomUUID().slice(0, 8)
  return { sub: `e2e-${id}`, email: `sso-${id}@example.test`, email_verified: true, name: `Sso ${id}` }
}

// Visitors here come from 10.250.0.0/16, an address range support.ts's asNewVisitor never hands out.
let visitors = 0
async function asVisitor(page: Page): Promise<string> {
  visitors += 1
  const address = `10.250.${(process.pid + visitors) % 250}.${visitors % 250}`
  await page.setExtraHTTPHeaders({ 'X-Forwarded-For': address })
  return address
}

/** Tells the provider what to answer this visitor next time. */
async function providerWill(visitor: string, scenario: Scenario): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${oidcPort}/__e2e/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitor, ...scenario }),
  })
  expect(response.status).toBe(204)
}

/** From the sign-in page: the button, the provider (which consents at once), the callback, wherever it ends. */
async function continueWithProvider(page: Page, from = '/sign-in'): Promise<void> {
  await page.goto(from)
  await page.getByRole('button', { name: BUTTON }).click()
  // Back at the app, past the callback: somewhere else, or on the sign-in page with an error.
  await page.waitForURL(
    (url) =>
      url.port === String(appPort) && !url.pathname.startsWith('/api/auth/') && (url.pathname !== from || url.searchParams.has('error')),
  )
}

async function signOut(page: Page): Promise<void> {
  await submit(page.getByRole('button', { name: 'Sign out' }))
  await expect(page).toHaveURL(/\/sign-in/)
}

async function expectSignInError(page: Page, text: string): Promise<void> {
  await expect(page).toHaveURL(/\/sign-in\?.*error=/)
  await expect(alertIn(page)).toContainText(text)
  // Never the provider's own words, never a trace.
  await expect(page.locator('main')).not.toContainText('resource owner')
  await expect(page.locator('main')).not.toContainText('<script>')
  await expect(page.getByRole('button', { name: BUTTON })).toBeVisible()
}

test('a new person signs in with the provider, lands in a personal workspace, and comes back to the same account', async ({ page }) => {
  const visitor = await asVisitor(page)
  const person = someone()
  await providerWill(visitor, { claims: person })

  await page.goto('/sign-up')
  await expect(page.getByRole('button', { name: BUTTON })).toBeVisible()
  await continueWithProvider(page, '/sign-up')
  await expect(page).toHaveURL(WORKSPACE_HOME)
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible()
  const workspace = workspaceOf(page)

  await signOut(page)
  await continueWithProvider(page)
  await expect(page).toHaveURL(WORKSPACE_HOME)
  expect(workspaceOf(page)).toBe(workspace)
})

test('declining consent at the provider ends on the sign-in page, saying so', async ({ page }) => {
  const visitor = await asVisitor(page)
  await providerWill(visitor, { claims: someone(), deny: true })
  await continueWithProvider(page)
  await expectSignInError(page, 'Sign-in was cancelled at the provider.')
})

test('a tampered state is refused', async ({ page }) => {
  const visitor = await asVisitor(page)
  await providerWill(visitor, { claims: someone(), tamperState: true })
  await continueWithProvider(page)
  await expectSignInError(page, 'That sign-in could not be matched to one started in this browser')
})

test('a replayed code is refused', async ({ page }) => {
  const visitor = await asVisitor(page)
  const person = someone()
  await providerWill(visitor, { claims: person })
  await continueWithProvider(page)
  await expect(page).toHaveURL(WORKSPACE_HOME)
  await signOut(page)

  await providerWill(visitor, { claims: person, replayCode: true })
  await continueWithProvider(page)
  await expectSignInError(page, 'The provider did not accept the sign-in code')
})

test('an address that has an account, unverified at the provider: not linked, told to use the password', async ({ page }) => {
  const owner = await signUp(page, newPerson())
  await signOut(page)
  const visitor = await asVisitor(page)
  await providerWill(visitor, { claims: { ...someone(), email: owner.email, email_verified: false } })
  await continueWithProvider(page)
  await expectSignInError(page, 'An account with this email address already exists. Sign in with your password')
})

test.describe('linking to an account whose address is verified here (PostgreSQL only)', () => {
  async function verifiedOwner(page: Page) {
    const owner = await signUp(page, newPerson())
    await sql('update "user" set email_verified = true where email = $1', [owner.email])
    await signOut(page)
    return owner
  }

  test('unverified at the provider: not linked', async ({ page }) => {
    const owner = await verifiedOwner(page)
    const visitor = await asVisitor(page)
    await providerWill(visitor, { claims: { ...someone(), email: owner.email, email_verified: false } })
    await continueWithProvider(page)
    await expectSignInError(page, 'An account with this email address already exists.')
    const accounts = await sql('select a.provider_id from account a join "user" u on u.id = a.user_id where u.email = $1 order by 1', [
      owner.email,
    ])
    expect(accounts).toEqual([{ provider_id: 'credential' }])
  })

  test('verified at the provider too: linked, into the same workspace', async ({ page }) => {
    const owner = await verifiedOwner(page)
    const visitor = await asVisitor(page)
    await providerWill(visitor, { claims: { ...someone(), email: owner.email, email_verified: true } })
    await continueWithProvider(page)
    await expect(page).toHaveURL(WORKSPACE_HOME)
    expect(workspaceOf(page)).toBe(owner.workspace)
  })
})
