// Reads a Server-Sent Events response block by block, as a test or a benchmark needs it: the next event (or comment)
// with a deadline, the time it arrived, and whether the stream has ended.
export type SseEvent = { id?: string; event?: string; data?: string; comment?: string; at: number }

export type SseReader = {
  /** The next block (an event or a comment), or an error after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>
  /** The next `event: <name>` block, skipping heartbeats and others. */
  nextEvent(name: string, timeoutMs?: number): Promise<SseEvent>
  ended: Promise<void>
}

function parse(block: string, at: number): SseEvent {
  const event: SseEvent = { at }
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) event.comment = line.slice(1).trim()
    const match = /^(id|event|data|retry): ?(.*)$/.exec(line)
    if (match?.[1] === 'id') event.id = match[2]
    if (match?.[1] === 'event') event.event = match[2]
    if (match?.[1] === 'data') event.data = event.data === undefined ? match[2] : `${event.data}\n${match[2]}`
  }
  return event
}

export function readSse(body: ReadableStream<Uint8Array>): SseReader {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const blocks: SseEvent[] = []
  let buffer = ''
  const wake: { notify: (() => void) | null } = { notify: null }
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) break
      const at = performance.now()
      buffer += decoder.decode(value, { stream: true })
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        blocks.push(parse(buffer.slice(0, end), at))
        buffer = buffer.slice(end + 2)
      }
      wake.notify?.()
    }
    wake.notify?.()
  })()
  let finished = false
  void ended.then(() => {
    finished = true
  })
  const next = async (timeoutMs = 5_000): Promise<SseEvent> => {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const block = blocks.shift()
      if (block) return block
      if (finished) throw new Error('the stream ended')
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        wake.notify = resolve
        setTimeout(resolve, Math.min(left, 100))
      })
    }
  }
  return {
    next,
    async nextEvent(name, timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const block = await next(Math.max(1, deadline - performance.now()))
        if (block.event === name) return block
      }
    },
    ended,
  }
}
