// What the database's columns can hold, so input is refused with VALIDATION before PostgreSQL refuses it with a 500.

/** The largest value of a PostgreSQL `integer` (int4) column, such as a project's version. */
export const INT4_MAX = 2_147_483_647

// timestamptz holds far more than this, but JavaScript dates, ISO strings and PostgreSQL agree only on years 1-9999
// (PostgreSQL has no year 0, and reads "+010000-..." as nothing at all).
// Parsed from strings: Date.UTC would read years 0-99 as 1900-1999.
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z')
const LATEST = Date.parse('9999-12-31T23:59:59.999Z')

/** True when `date` is a valid date inside the range every layer can store and print the same way. */
export function isStorableDate(date: Date): boolean {
  const time = date.getTime()
  return !Number.isNaN(time) && time >= EARLIEST && time <= LATEST
}

/** The published size of an id (a UUID) and of an ISO 8601 timestamp as this server writes them. */
export const UUID_LENGTH = 36
export const TIMESTAMP_MAX_LENGTH = 30

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Whether `id` can name a row at all: anything else must not reach PostgreSQL as a cast error. */
export const isUuid = (id: string) => UUID.test(id)
