// Account operations.
import { z } from 'zod'
import * as accounts from '../services/accounts'
import { operation } from './operation'

export const getMe = operation({
  name: 'me.get',
  summary: 'Who the token belongs to, and its scopes',
  tag: 'Account',
  input: z.object({}),
  output: accounts.Me,
  scope: null,
  role: null,
  http: { method: 'GET', path: '/api/v1/me', status: 200 },
  run: (ctx) => accounts.me(ctx),
})
