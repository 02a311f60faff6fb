import type { Metadata } from 'next'
import { ConfirmLinkForm } from '@/components/account-forms'
import { confirmEmailChangeAction } from '../actions'

export const metadata: Metadata = { title: 'Confirm your new address', referrer: 'same-origin' }

export default async function ConfirmEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams
  return (
    <main className="narrow">
      <h1>Confirm your new e-mail address</h1>
      <ConfirmLinkForm action={confirmEmailChangeAction} token={typeof token === 'string' ? token : ''} label="Use this address" />
    </main>
  )
}
