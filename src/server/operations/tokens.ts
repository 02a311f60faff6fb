// API token operations: served to the app's own settings page only, never over the public API.
import { z } from 'zod'
import * as tokens from '../services/tokens'
import { operation } from './operation'

export const listTokens = operation({
  name: 'tokens.list',
  summary: 'List your API tokens',
  tag: 'Tokens',
  input: z.object({}),
  output: z.array(tokens.ApiToken),
  scope: null,
  run: (ctx) => tokens.list(ctx),
})

export const createToken = operation({
  name: 'tokens.create',
  summary: 'Create an API token',
  tag: 'Tokens',
  input: tokens.CreateTokenInput,
  output: z.object({ token: z.string(), apiToken: tokens.ApiToken }),
  scope: null,
  run: tokens.create,
})

export const revokeToken = operation({
  name: 'tokens.revoke',
  summary: 'Revoke an API token',
  tag: 'Tokens',
  input: tokens.RevokeTokenInput,
  output: tokens.ApiToken,
  scope: null,
  run: tokens.revoke,
})
