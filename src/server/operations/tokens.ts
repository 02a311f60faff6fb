// API token operations: the settings page's actions, never served over the public API (the page reads the
// list through the service directly, as server components do).
import { z } from 'zod'
import * as tokens from '../services/tokens'
import { operation } from './operation'

export const createToken = operation({
  name: 'tokens.create',
  summary: 'Create an API token',
  tag: 'Tokens',
  input: tokens.CreateTokenInput,
  output: z.object({ token: z.string(), apiToken: tokens.ApiToken }),
  scope: null,
  role: 'member',
  run: tokens.create,
})

export const revokeToken = operation({
  name: 'tokens.revoke',
  summary: 'Revoke an API token',
  tag: 'Tokens',
  input: tokens.RevokeTokenInput,
  output: tokens.ApiToken,
  scope: null,
  role: 'member',
  run: tokens.revoke,
})
