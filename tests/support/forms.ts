// What a browser posts to a server action: a form (actions accept nothing else: operations/form-values.ts), built in
// a test or posted from a rendered page as a browser without JavaScript posts it; and the cookies it sends back, the
// session a sign-up through the form leaves it with.
import { PASSWORD } from './accounts'
import type { RunningServer } from './server'

export function formOf(fields: Record<string, string | readonly string[]>): FormData {
  const data = new FormData()
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(key, v)
  return data
}

/** The hidden fields React renders into a form so that it works without JavaScript (the action id, its state). */
export function hiddenFields(html: string): [string, string][] {
  const decodeEntities = (value: string) => value.replaceAll('&quot;', '"').replaceAll('&#x27;', "'").replaceAll('&amp;', '&')
  return [...html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g)].map((match) => [
    match[1] ?? '',
    decodeEntities(match[2] ?? ''),
  ])
}

export type SubmitOptions = {
  /** Sent with both the page's GET and the form's POST (a session cookie, a forwarded address). */
  headers?: Record<string, string>
  /** On a page with several forms, the one whose HTML contains this text; by default the page's hidden fields, all of them. */
  within?: string
}

/** Posts the form on `page` as a browser without JavaScript would, with `fields` filled in (and `next` replaced). */
export async function submitForm(
  server: RunningServer,
  page: string,
  fields: Record<string, string>,
  { headers = {}, within }: SubmitOptions = {},
): Promise<Response> {
  const html = await (await fetch(`${server.url}${page}`, { headers })).text()
  const chosen = within === undefined ? html : [...html.matchAll(/<form[\s\S]*?<\/form>/g)].find(([form]) => form.includes(within))?.[0]
  if (chosen === undefined) throw new Error(`no form on ${page} contains ${JSON.stringify(within)}`)
  const form = new FormData()
  for (const [name, value] of hiddenFields(chosen)) if (!(name in fields)) form.append(name, value)
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return fetch(`${server.url}${page}`, { method: 'POST', body: form, headers: { Origin: server.url, ...headers }, redirect: 'manual' })
}

/** The cookies a response sets, as the browser sends them back: each name=value, without the attributes. */
export function cookieHeaderFrom(headers: Headers): string {
  return headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
}

/**
 * Signs a new person up through the sign-up form, as a browser without JavaScript does, with PASSWORD; their e-mail
 * and the Cookie header the browser sends from then on.
 */
export async function signUpThroughForm(server: RunningServer, name = 'Through the form'): Promise<{ email: string; cookie: string }> {
  const email = `person-${crypto.randomUUID().slice(0, 8)}@example.test`
  const fields = { name, email, password: PASSWORD, next: '/dashboard' }
  // The sign-up form, not the OAuth provider's beside it when one is configured.
  const response = await submitForm(server, '/sign-up', fields, { within: 'name="email"' })
  if (response.status !== 303) throw new Error(`sign-up answered ${response.status}, not 303`)
  const cookie = cookieHeaderFrom(response.headers)
  if (!cookie.includes('session_token=')) throw new Error('sign-up set no session cookie')
  return { email, cookie }
}
