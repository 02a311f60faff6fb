import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Database } from '../../src/server/db/client'
import { createTestDatabase, createUser } from '../support/db'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

test('a test database is migrated and empty', async () => {
  const id = await createUser(database)
  expect(id).toMatch(/-/)
})
