// Multipart bodies for the upload route, well-formed and broken in each way a client or a network can break them.
// Its own module because the directed cases name each kind (and expect its status) while the random part draws from
// all of them: one definition of "truncated" or "wrong boundary" serves both.
import fc from 'fast-check'
import { multipartStream } from './files'

export const BOUNDARY = 'fuzz-boundary'
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`

const partHead = (name: string, field = 'file') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`

/** Each kind of body by name; the directed cases send these and expect one status each. */
export const multipart = {
  wellFormed: (text = 'fuzzed text', name = 'ok.txt') => `${partHead(name)}${text}\r\n--${BOUNDARY}--\r\n`,
  /** The file's data and no closing boundary (issue 23's body). */
  truncated: (text = 'cut') => `${partHead('cut.txt')}${text}`,
  /** Cut inside the part's data, before its delimiter. */
  cutMidPart: (at: number) => multipart.wellFormed('some text in the middle').slice(0, partHead('ok.txt').length + (at % 20)),
  /** Cut after the part's delimiter, before the closing dashes. */
  cutAfterDelimiter: () => `${partHead('dash.txt')}text\r\n--${BOUNDARY}`,
  /** A body framed with a boundary other than the declared one. */
  wrongBoundary: () => `--another\r\nContent-Disposition: form-data; name="file"; filename="w.txt"\r\n\r\nx\r\n--another--\r\n`,
  /** A well-formed form whose file is in another field. */
  noFileField: () => `${partHead('other.txt', 'attachment')}x\r\n--${BOUNDARY}--\r\n`,
  /** A PNG of `bytes` bytes, produced as it is read. */
  ofSize: (bytes: number) => () => multipartStream('big.png', bytes, BOUNDARY),
}

/** Any of the above, and the limits of the form parser (a huge field, too many parts, a huge header section). */
export function multipartBody(hostile: fc.Arbitrary<string>): fc.Arbitrary<string | Uint8Array<ArrayBuffer>> {
  return fc.oneof(
    fc.string({ maxLength: 100 }).map((text) => multipart.wellFormed(text.length ? text : 'x')),
    fc.string({ maxLength: 200 }).map((text) => multipart.truncated(text)),
    fc.nat({ max: 400 }).map((at) => multipart.wellFormed('some text').slice(0, at)),
    fc.constant(multipart.cutAfterDelimiter()),
    fc.constant(multipart.wrongBoundary()),
    fc.constant(multipart.noFileField()),
    fc.constant(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${'n'.repeat(64 * 1024)}\r\n--${BOUNDARY}--\r\n`),
    fc.constant(`${`--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n`.repeat(100)}--${BOUNDARY}--\r\n`),
    fc.constant(
      `--${BOUNDARY}\r\n${'X-Pad: p\r\n'.repeat(200)}Content-Disposition: form-data; name="file"; filename="h.txt"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
    ),
    hostile.map((name) => multipart.wellFormed('x', name.replaceAll('"', ''))),
    fc.uint8Array({ maxLength: 64 }).map((junk) => new Uint8Array(Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), junk]))),
  )
}
