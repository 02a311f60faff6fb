// The billing page and the workspace bar above it, over real HTTP against the production server, while the plan
// changes under them as the billing worker changes it. A layout and its page render in parallel: each with its own
// read of the plan, a change landing between the two showed Pro on the page under a "Free plan" badge (and the page,
// seeing Pro, stopped reloading itself, so the badge stayed wrong).
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUpThroughForm } from '../support/forms'
import { isPostgresRun } from '../support/postgres'
import { type RunningServer, startServer, throwawayPostgres } from '../support/server'

const PAGES = 120
const AT_ONCE = 4

/** The plan the workspace bar's badge names, and the plan the billing page's heading names. */
function plansShown(html: string): { bar: string | undefined; page: string | undefined } {
  const bar = html.match(/data-testid="workspace-bar"[\s\S]*?<span[^>]*>(\w+)(?:<!-- -->)?<span class="sr-only"> plan<\/span>/)
  const page = html.match(/data-testid="plan-name">(\w+)</)
  return { bar: bar?.[1], page: page?.[1] }
}

describe.skipIf(!isPostgresRun())('the billing page as the plan changes (PostgreSQL only: writes the server’s database)', () => {
  let server: RunningServer
  let drop: () => Promise<void>
  let client: pg.Client
  let cookie: string
  let slug: string

  beforeAll(async () => {
    const fresh = await throwawayPostgres()
    drop = fresh.drop
    server = await startServer({ env: { DATABASE_URL: fresh.url } })
    const owner = await signUpThroughForm(server, 'Owner')
    cookie = owner.cookie
    client = new pg.Client({ connectionString: fresh.url })
    await client.connect()
    const { rows } = await client.query(
      'select w.slug, w.id from workspaces w join memberships m on m.workspace_id = w.id join "user" u on u.id = m.user_id where u.email = $1',
      [owner.email],
    )
    slug = rows[0].slug
    await client.query('insert into workspace_billing (workspace_id, status) values ($1, null)', [rows[0].id])
  })
  afterAll(async () => {
    await client?.end()
    await server?.stop()
    await drop?.()
  })

  it('names the same plan in the bar and on the page in every answer, whenever the plan changes', async () => {
    const page = () =>
      fetch(`${server.url}/w/${slug}/settings/billing`, { headers: { Cookie: cookie } }).then(async (response) => {
        expect(response.status).toBe(200)
        return plansShown(await response.text())
      })
    expect(await page()).toEqual({ bar: 'Free', page: 'Free' })

    // Flip the plan back and forth as fast as the database takes it, for as long as the pages are being read.
    let reading = true
    let flips = 0
    const flipping = (async () => {
      while (reading) {
        await client.query(
          `update workspace_billing set status = case when status = 'active' then null else 'active' end
           where workspace_id = (select id from workspaces where slug = $1)`,
          [slug],
        )
        flips += 1
      }
    })()
    const seen: { bar: string | undefined; page: string | undefined }[] = []
    try {
      for (let done = 0; done < PAGES; done += AT_ONCE) seen.push(...(await Promise.all(Array.from({ length: AT_ONCE }, page))))
    } finally {
      reading = false
      await flipping
    }

    expect(flips).toBeGreaterThan(PAGES)
    // Both plans were seen (the flips landed while pages rendered), and no answer disagreed with itself.
    expect(new Set(seen.map((shown) => shown.page))).toEqual(new Set(['Free', 'Pro']))
    expect(seen.filter((shown) => shown.bar !== shown.page)).toEqual([])
  })
})
