// The Markdown the OpenAPI document's descriptions use, rendered as React elements: paragraphs, "- " lists, `code`,
// **strong**, *emphasis* and [links](url). A subset on purpose: the text is ours, and every character of it reaches
// the page as text (React escapes it), never as HTML, so there is no raw-HTML passthrough to sanitise.
import { Fragment, type ReactNode } from 'react'

// Earliest match wins; at one position the alternatives are tried in order, so code spans shield their contents.
// Emphasis must start with a letter or digit, so that `*/*` and `2 * 3` stay as written.
const INLINE = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|\*(\w(?:[^*\n]*[^*\s])?)\*|\[([^\]\n]+)\]\(([^()\s]+)\)/g

/** Where a link may lead: a fragment, a path on this site, or an http(s) URL. Anything else stays text. */
export function safeHref(href: string): string | null {
  if (href.startsWith('#') || (href.startsWith('/') && !href.startsWith('//') && !href.includes('\\'))) return href
  try {
    const { protocol } = new URL(href)
    return protocol === 'https:' || protocol === 'http:' ? href : null
  } catch {
    return null
  }
}

/** One line of text with its inline marks, as React nodes. */
export function inlineMarkdown(text: string): ReactNode[] {
  const nodes: ReactNode[] = []
  let at = 0
  for (const match of text.matchAll(INLINE)) {
    const index = match.index
    if (index > at) nodes.push(text.slice(at, index))
    const [whole, code, strong, emphasis, label, href] = match
    const key = `${index}`
    if (code !== undefined) nodes.push(<code key={key}>{code}</code>)
    else if (strong !== undefined) nodes.push(<strong key={key}>{inlineMarkdown(strong)}</strong>)
    else if (emphasis !== undefined) nodes.push(<em key={key}>{inlineMarkdown(emphasis)}</em>)
    else if (label !== undefined && href !== undefined) {
      const safe = safeHref(href)
      nodes.push(
        safe ? (
          <a key={key} href={safe}>
            {inlineMarkdown(label)}
          </a>
        ) : (
          <Fragment key={key}>{inlineMarkdown(label)}</Fragment>
        ),
      )
    } else nodes.push(whole)
    at = index + whole.length
  }
  if (at < text.length) nodes.push(text.slice(at))
  return nodes
}

type Block = { kind: 'paragraph'; lines: string[] } | { kind: 'list'; items: string[] }

const LIST_ITEM = /^\s*[-*]\s+/

function blocksOf(text: string): Block[] {
  const blocks: Block[] = []
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const last = blocks.at(-1)
    if (!line.trim()) {
      if (last) blocks.push({ kind: 'paragraph', lines: [] })
    } else if (LIST_ITEM.test(line)) {
      const item = line.replace(LIST_ITEM, '')
      if (last?.kind === 'list') last.items.push(item)
      else blocks.push({ kind: 'list', items: [item] })
    } else if (last?.kind === 'paragraph') last.lines.push(line.trim())
    // A line right after a list item, not itself an item, continues that item.
    else if (last?.kind === 'list' && /^\s/.test(line)) last.items[last.items.length - 1] += ` ${line.trim()}`
    else blocks.push({ kind: 'paragraph', lines: [line.trim()] })
  }
  return blocks.filter((block) => (block.kind === 'paragraph' ? block.lines.length > 0 : true))
}

/** A description as blocks: paragraphs and bullet lists. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      {blocksOf(text).map((block, i) =>
        block.kind === 'list' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: blocks have no identity but their order, which never changes
          <ul key={i}>
            {block.items.map((item, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: as above
              <li key={j}>{inlineMarkdown(item)}</li>
            ))}
          </ul>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: as above
          <p key={i}>{inlineMarkdown(block.lines.join(' '))}</p>
        ),
      )}
    </div>
  )
}
