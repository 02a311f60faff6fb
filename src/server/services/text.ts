// Schemas for the human-entered text fields every domain shares.
import { z } from 'zod'

// "Characters" are Unicode code points, as JSON Schema's maxLength counts them, so the published
// contract and the server agree: an emoji is one character, not the two UTF-16 units String#length sees.
export const codePointLength = (s: string) => [...s].length

// Tabs, newlines and other C0/C1 controls have no place in a one-line name. Free text keeps its line breaks and
// tabs; every other control (NUL above all: PostgreSQL text cannot hold \u0000) is refused rather than stored.
// Written as JSON Schema patterns too, so the published contract says what the server refuses.
export const ONE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$'
export const FREE_TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$'
const ONE_LINE = new RegExp(ONE_LINE_PATTERN, 'u')
const FREE_TEXT = new RegExp(FREE_TEXT_PATTERN, 'u')

/** A one-line name: trimmed, NFC-normalised, 1 to `max` characters, no control characters. */
export function nameField(label: string, max: number) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .normalize('NFC')
    .min(1, `${label} is required.`)
    .refine((s) => codePointLength(s) <= max, `${label} must be at most ${max} characters.`)
    .refine((s) => ONE_LINE.test(s), `${label} must be a single line of text.`)
    .meta({ minLength: 1, maxLength: max, pattern: ONE_LINE_PATTERN })
}

/** Free text such as a description: line endings unified, trimmed, up to `max` characters, no controls but \n and \t. */
export function longTextField(label: string, max: number) {
  return z
    .string()
    .overwrite((s) => s.replace(/\r\n?/g, '\n'))
    .trim()
    .normalize('NFC')
    .refine((s) => codePointLength(s) <= max, `${label} must be at most ${max} characters.`)
    .refine((s) => FREE_TEXT.test(s), `${label} must not contain control characters.`)
    .meta({ maxLength: max, pattern: FREE_TEXT_PATTERN })
}

/** An e-mail address as people type it: trimmed, lower-cased, at most 254 characters. */
export function emailField() {
  return z
    .string({ error: 'Email is required.' })
    .trim()
    .toLowerCase()
    .min(1, 'Email is required.')
    .pipe(z.email('Enter a valid email address.').max(254, 'Enter a valid email address.'))
}
