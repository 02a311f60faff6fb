// Badge, shaped like shadcn/ui's: a small rounded label (role, plan, status).
import type { ReactNode } from 'react'

export type BadgeVariant = 'default' | 'success' | 'warning' | 'primary'

const VARIANTS: Record<BadgeVariant, string> = {
  default: 'border-border text-muted',
  success: 'border-success text-success',
  warning: 'border-danger text-danger',
  primary: 'border-transparent bg-accent-bg text-link',
}

export function Badge({
  variant = 'default',
  children,
  className = '',
}: {
  variant?: BadgeVariant
  children: ReactNode
  className?: string
}) {
  return (
    <span
      className={`inline-block whitespace-nowrap rounded-full border px-2 text-xs leading-5 font-medium ${VARIANTS[variant]} ${className}`}
    >
      {children}
    </span>
  )
}
