// A destructive action behind a native disclosure: the button opens a small panel with a confirmation checkbox and
// the real submit. No JavaScript needed; the server action refuses a post without `confirm=yes` (toAction's `confirm`).
import type { ReactNode } from 'react'
import { buttonVariants } from './button'

type ConfirmProps = {
  /** The words on the opening button, e.g. "Remove". */
  label: string
  /** Its accessible name, when the label alone is ambiguous in a list ("Remove ada@example.com"). */
  ariaLabel?: string
  /** What will happen, shown above the checkbox. */
  children: ReactNode
  /** The checkbox's text. */
  check?: string
  /** The form's hidden fields and submit button. */
  submit: ReactNode
  /** Open (after a failed attempt, so its message shows). */
  open?: boolean
  /** Unique per page, for the checkbox's id. */
  id: string
}

export function ConfirmDisclosure({ label, ariaLabel, children, check = 'Yes, I am sure', submit, open, id }: ConfirmProps) {
  return (
    <details className="group relative" open={open}>
      <summary aria-label={ariaLabel} className={`${buttonVariants({ variant: 'link' })} list-none [&::-webkit-details-marker]:hidden`}>
        {label}
      </summary>
      <div className="mt-2 w-64 max-w-[80vw] rounded-lg border border-danger bg-surface p-3 text-sm shadow-lg sm:absolute sm:right-0 sm:z-20">
        <div className="mb-2">{children}</div>
        <label htmlFor={`confirm-${id}`} className="mb-2 flex items-center gap-2">
          <input id={`confirm-${id}`} type="checkbox" name="confirm" value="yes" required /> {check}
        </label>
        {submit}
      </div>
    </details>
  )
}
