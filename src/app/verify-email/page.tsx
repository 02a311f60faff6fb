import type { Metadata } from 'next'
import { ConfirmLinkForm } from '@/components/account-forms'
import { confirmAddressAction } from './actions'

export const metadata: Metadata = { title: 'Confirm your address', referrer: 'same-origin' }

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams
  return (
    <main className="narrow">
      <h1>Confirm your e-mail address</h1>
      <ConfirmLinkForm action={confirmAddressAction} token={typeof token === 'string' ? token : ''} label="Confirm my address" />
    </main>
  )
}
