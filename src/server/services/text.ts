// Schemas for the human-entered text fields every domain shares.
import { z } from 'zod'

// "Characters" are Unicode code points, as JSON Schema's maxLength counts them, so the published
// contract and the server agree: an emoji is one character, not the two UTF-16 units String#length sees.
export const codePointLength = (s: string) => [...s].length

// Tabs, newlines and other C0/C1 controls have no place in a one-line name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/
// Free text keeps its line breaks and tabs; every other control (NUL above all: PostgreSQL text cannot hold
// \u0000) is refused rather than stored.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

/** A one-line name: trimmed, NFC-normalised, 1 to `max` characters, no control characters. */
export function nameField(label: string, max: number) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .normalize('NFC')
    .min(1, `${label} is required.`)
    .refine((s) => codePointLength(s) <= max, `${label} must be at most ${max} characters.`)
    .refine((s) => !CONTROL_CHARACTERS.test(s), `${label} must be a single line of text.`)
    .meta({ minLength: 1, maxLength: max })
}

/** Free text such as a description: line endings unified, trimmed, up to `max` characters, no controls but \n and \t. */
export function longTextField(label: string, max: number) {
  return z
    .string()
    .overwrite((s) => s.replace(/\r\n?/g, '\n'))
    .trim()
    .normalize('NFC')
    .refine((s) => codePointLength(s) <= max, `${label} must be at most ${max} characters.`)
    .refine((s) => !CONTROL_CHARACTERS_BUT_LAYOUT.test(s), `${label} must not contain control characters.`)
    .meta({ maxLength: max })
}
