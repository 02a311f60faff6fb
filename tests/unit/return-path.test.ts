// The page after signing in: only ever a path on this app, whatever `next` was made to look like.
import { describe, expect, test } from 'vitest'
import { safeReturnPath } from '../../src/server/auth/return-path'

const APP = 'https://app.example.test'

describe('the return path after signing in', () => {
  test.each([
    // Paths of this app are kept, normalised, with their query and hash.
    ['/dashboard/settings/tokens', '/dashboard/settings/tokens'],
    ['/dashboard?x=1#top', '/dashboard?x=1#top'],
    ['/dashboard/../projects', '/projects'],
    ['/a b', '/a%20b'],
    // Still encoded in the Location header, so the browser stays on this origin.
    ['/%2F/evil.example', '/%2F/evil.example'],
    ['/%09/evil.example', '/%09/evil.example'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['/@evil.example', '/@evil.example'],
    ['/dashboard?next=//evil.example', '/dashboard?next=//evil.example'],
    // Another origin, however it is spelled.
    ['//evil.example', '/dashboard'],
    ['///evil.example', '/dashboard'],
    ['/\\evil.example', '/dashboard'],
    ['\\\\evil.example', '/dashboard'],
    ['/\t/evil.example', '/dashboard'],
    ['/\n/evil.example', '/dashboard'],
    ['/\r\n/evil.example', '/dashboard'],
    ['/dashboard\r\nSet-Cookie: x=1', '/dashboard'],
    ['/ /evil.example', '/%20/evil.example'],
    ['/..//evil.example', '/dashboard'],
    ['/./../..//evil.example', '/dashboard'],
    ['/.%2e//evil.example', '/dashboard'],
    ['https://evil.example/', '/dashboard'],
    ['https://app.example.test@evil.example/', '/dashboard'],
    ['https:evil.example', '/dashboard'],
    ['//app.example.test@evil.example', '/dashboard'],
    ['javascript:alert(1)', '/dashboard'],
    ['/javascript:alert(1)', '/javascript:alert(1)'],
    ['data:text/html,hi', '/dashboard'],
    ['dashboard', '/dashboard'],
    ['', '/dashboard'],
    // Not a single string at all.
    [undefined, '/dashboard'],
    [['/a', '/b'], '/dashboard'],
    [42, '/dashboard'],
  ])('%j goes to %j', (next, expected) => {
    expect(safeReturnPath(next, APP)).toBe(expected)
  })

  test('the fallback can be chosen', () => {
    expect(safeReturnPath('/dashboard', APP, '/home')).toBe('/dashboard')
    expect(safeReturnPath('//evil.example', APP, '/home')).toBe('/home')
  })
})
