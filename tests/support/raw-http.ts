// HTTP requests written byte by byte on a socket, for what fetch will not send: a body that ends before its
// Content-Length, a client that disconnects mid-body, a body declared complete that breaks its own framing.
import { connect, type Socket } from 'node:net'

export type RawAnswer = {
  /** 0 when the server sent nothing before the socket closed (or within the wait). */
  status: number
  headers: Record<string, string>
  body: string
}

export type RawRequest = {
  method?: string
  path: string
  headers: Record<string, string>
  /** Sent as given; Content-Length is the declared length if set, else the body's. */
  body: Buffer
  /** What to do once the body is written: wait for the answer (default), half-close, or drop the connection. */
  afterBody?: 'answer' | 'half-close' | { destroyWhen: () => boolean }
  /** How long to wait for the answer. */
  timeoutMs?: number
}

function parse(raw: Buffer): RawAnswer {
  const text = raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return { status: 0, headers: {}, body: '' }
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'))
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body)
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: body.toString('utf8') }
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = []
  let at = 0
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd < 0) break
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (!size) break
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(out)
}

const until = async (check: () => boolean, ms: number) => {
  for (const started = Date.now(); !check() && Date.now() - started < ms; ) await new Promise((r) => setTimeout(r, 20))
}

/** Sends one request on a new connection (Connection: close) and reads what comes back until the server closes. */
export async function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl)
  const headers = { Host: url.host, Connection: 'close', 'Content-Length': String(request.body.length), ...request.headers }
  const head = `${request.method ?? 'POST'} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`
  const socket: Socket = connect(Number(url.port), url.hostname)
  const received: Buffer[] = []
  let closed = false
  socket.on('data', (chunk: Buffer) => received.push(chunk))
  socket.on('error', () => {})
  socket.on('close', () => {
    closed = true
  })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.write(head)
  socket.write(request.body)
  const then = request.afterBody ?? 'answer'
  if (then === 'half-close') socket.end()
  else if (then !== 'answer') {
    await until(() => then.destroyWhen() || closed, request.timeoutMs ?? 30_000)
    socket.destroy()
    return parse(Buffer.concat(received))
  }
  await until(() => closed, request.timeoutMs ?? 30_000)
  socket.destroy()
  return parse(Buffer.concat(received))
}
