'use client'
// Navigation that knows where it is: links marked current (aria-current and a visual state), and a native <details>
// menu that also closes on navigation, an outside click or Escape. Without JavaScript every navigation is a full page
// load, which renders the current link from the URL on the server and the menu closed, so both hold there too.
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { type ReactNode, useEffect, useRef } from 'react'

type NavLinkProps = {
  href: string
  children: ReactNode
  /** 'exact': current only on this path; 'section': also on every path below it (a workspace, its projects). */
  match?: 'exact' | 'section'
  /** Other paths (and what is below them) that count as this link's, e.g. a workspace's project pages for Projects. */
  sections?: string[]
  className?: string
}

function isCurrent(pathname: string, href: string, match: 'exact' | 'section', sections: string[]) {
  if (pathname === href) return 'page'
  const below = (base: string) => pathname.startsWith(`${base}/`)
  if ((match === 'section' && below(href)) || sections.some((s) => pathname === s || below(s))) return 'true'
  return undefined
}

export function NavLink({ href, children, match = 'exact', sections = [], className = '' }: NavLinkProps) {
  const current = isCurrent(usePathname(), href, match, sections)
  return (
    <Link href={href} aria-current={current} className={`${className} ${current ? 'is-current' : ''}`}>
      {children}
    </Link>
  )
}

/** A <details> menu that closes when the page changes, on a click outside it, and on Escape (focus back on its summary). */
export function Menu({
  summary,
  summaryLabel,
  children,
  className = '',
}: {
  summary: ReactNode
  summaryLabel?: string
  children: ReactNode
  className?: string
}) {
  const ref = useRef<HTMLDetailsElement>(null)
  const pathname = usePathname()
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing is the point of a new pathname.
  useEffect(() => {
    if (ref.current) ref.current.open = false
  }, [pathname])
  useEffect(() => {
    const close = (event: Event) => {
      const details = ref.current
      if (!details?.open) return
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return
        details.open = false
        details.querySelector('summary')?.focus()
      } else if (event.target instanceof Node && !details.contains(event.target)) {
        details.open = false
      }
    }
    document.addEventListener('pointerdown', close)
    document.addEventListener('keydown', close)
    return () => {
      document.removeEventListener('pointerdown', close)
      document.removeEventListener('keydown', close)
    }
  }, [])
  return (
    <details ref={ref} className={`relative ${className}`}>
      <summary
        aria-label={summaryLabel}
        className="cursor-pointer list-none font-medium text-muted hover:text-foreground [&::-webkit-details-marker]:hidden"
      >
        {summary}
      </summary>
      {children}
    </details>
  )
}
