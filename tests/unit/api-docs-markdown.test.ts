// The API reference's Markdown subset: what it renders, and that nothing in the text can become HTML.
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import { Markdown, safeHref } from '@/app/docs/api/markdown'

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }))

describe('the API reference renders its descriptions’ Markdown', () => {
  test.each([
    ['code spans', 'Requires the `projects:read` scope.', '<div><p>Requires the <code>projects:read</code> scope.</p></div>'],
    ['strong and emphasis', '**Only** an *owner*.', '<div><p><strong>Only</strong> an <em>owner</em>.</p></div>'],
    ['a link on this site', 'See [the schemas](#schemas).', '<div><p>See <a href="#schemas">the schemas</a>.</p></div>'],
    [
      'an https link',
      '[RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)',
      '<div><p><a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a></p></div>',
    ],
    ['paragraphs', 'One.\n\nTwo\nlines.', '<div><p>One.</p><p>Two lines.</p></div>'],
    [
      'a list',
      'Either:\n- `a`\n- **b**\n\nDone.',
      '<div><p>Either:</p><ul><li><code>a</code></li><li><strong>b</strong></li></ul><p>Done.</p></div>',
    ],
    ['marks inside a code span stay literal', '`**x** [y](z)`', '<div><p><code>**x** [y](z)</code></p></div>'],
    [
      'a lone asterisk or underscore stays text',
      'Accept */* and member.role_changed, 2 * 3',
      '<div><p>Accept */* and member.role_changed, 2 * 3</p></div>',
    ],
  ])('%s', (_, text, expected) => {
    expect(html(text)).toBe(expected)
  })
})

describe('nothing in the text becomes HTML', () => {
  test.each([
    ['a script element', '<script>alert(1)</script>', '<div><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></div>'],
    ['an element in a code span', '`<img src=x onerror=alert(1)>`', '<div><p><code>&lt;img src=x onerror=alert(1)&gt;</code></p></div>'],
    ['an element in link text', '[<b>x</b>](#a)', '<div><p><a href="#a">&lt;b&gt;x&lt;/b&gt;</a></p></div>'],
    ['an entity', '&lt; &amp;', '<div><p>&amp;lt; &amp;amp;</p></div>'],
    ['a javascript: link', '[click](javascript:alert(1))', '<div><p>[click](javascript:alert(1))</p></div>'],
    ['a javascript: link without parentheses', '[click](javascript:alert`1`)', '<div><p>click</p></div>'],
    ['a data: link', '[x](data:text/html,hi)', '<div><p>x</p></div>'],
    ['a protocol-relative link', '[x](//evil.example/)', '<div><p>x</p></div>'],
    [
      'an attribute break-out in a link',
      '[x](https://a.example/"onmouseover="alert(1))',
      '<div><p>[x](https://a.example/&quot;onmouseover=&quot;alert(1))</p></div>',
    ],
  ])('%s', (_, text, expected) => {
    expect(html(text)).toBe(expected)
  })

  test.each([
    ['#schemas', '#schemas'],
    ['/api/v1/openapi.json', '/api/v1/openapi.json'],
    ['https://example.com/x', 'https://example.com/x'],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['javascript:alert(1)', null],
    ['JavaScript:alert(1)', null],
    ['vbscript:x', null],
    ['mailto:a@b.c', null],
  ])('safeHref(%j) is %j', (href, expected) => {
    expect(safeHref(href)).toBe(expected)
  })
})
