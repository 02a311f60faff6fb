// The button, shaped like shadcn/ui's: a variant picks the colours, and buttonVariants() gives the same look to a
// link or a summary. Plain class strings: Tailwind compiles them at build time, nothing runs in the browser.
import type { ButtonHTMLAttributes } from 'react'

export type ButtonVariant = 'default' | 'secondary' | 'danger' | 'ghost' | 'link'
export type ButtonSize = 'default' | 'sm'

const BASE =
  'inline-flex cursor-pointer items-center justify-center gap-2 whitespace-nowrap rounded-lg border font-semibold no-underline hover:no-underline disabled:cursor-progress disabled:opacity-70'

const VARIANTS: Record<ButtonVariant, string> = {
  default: 'border-transparent bg-primary text-primary-foreground hover:bg-primary-hover',
  secondary: 'border-border bg-surface text-foreground hover:bg-accent-bg',
  danger: 'border-transparent bg-danger text-danger-foreground hover:opacity-90',
  ghost: 'border-transparent bg-transparent text-muted hover:bg-accent-bg hover:text-foreground',
  link: 'border-transparent bg-transparent p-0 font-medium text-muted hover:text-foreground hover:underline',
}

const SIZES: Record<ButtonSize, string> = {
  default: 'px-4 py-2',
  sm: 'px-2.5 py-1 text-sm',
}

export function buttonVariants({ variant = 'default', size = 'default' }: { variant?: ButtonVariant; size?: ButtonSize } = {}) {
  return `${BASE} ${VARIANTS[variant]} ${variant === 'link' ? '' : SIZES[size]}`
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: ButtonSize }

export function Button({ variant, size, className = '', type = 'button', ...props }: ButtonProps) {
  return <button type={type} className={`${buttonVariants({ variant, size })} ${className}`} {...props} />
}
