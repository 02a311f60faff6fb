'use server'
// Minting and revoking API tokens: operations adapted to server actions. Tokens are managed only from here.
import { nextAction } from '@/server/operations/next'
import { createToken, revokeToken } from '@/server/operations/tokens'

export const createTokenAction = nextAction(createToken, { revalidate: () => ['/dashboard/settings/tokens'] })

export const revokeTokenAction = nextAction(revokeToken, { revalidate: () => ['/dashboard/settings/tokens'] })
