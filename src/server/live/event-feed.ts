// What a live operation (an event stream) hands its transport: a feed it starts once the answer is under way and
// stops exactly once. The transport (transports/to-event-stream.ts) owns the framing, heartbeats and the end.

export type ServerEvent = { id?: string; event?: string; data: string }

export type EventSink = {
  send(event: ServerEvent): void
  /** Ends the stream (the client will reconnect, with Last-Event-ID, after `retry`). */
  end(): void
}

export type EventFeed = {
  start(sink: EventSink): void
  /** Each heartbeat: a chance to check the caller again and end the sink. */
  heartbeat?(): void
  stop(): void
}
