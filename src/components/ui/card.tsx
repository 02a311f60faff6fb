// Card, shaped like shadcn/ui's: a bordered surface with an optional title. A section when it is labelled by its title.
import type { HTMLAttributes, ReactNode } from 'react'

export function Card({ className = '', ...props }: HTMLAttributes<HTMLElement>) {
  return <section className={`card ${className}`} {...props} />
}

export function CardTitle({ id, children, className = '' }: { id?: string; children: ReactNode; className?: string }) {
  return (
    <h2 id={id} className={className}>
      {children}
    </h2>
  )
}
