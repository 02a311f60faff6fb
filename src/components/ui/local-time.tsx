'use client'
// One date format everywhere, in the viewer's own time zone, in <time datetime>. The server cannot know the zone, so it
// renders UTC (said so), and the browser re-renders the text in its zone after hydration; without JavaScript the UTC
// text stays, which is still right and labelled. Cheaper than a time-zone cookie round trip, and never wrong on the
// first visit.
import { useEffect, useState } from 'react'

const FORMAT: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }
const UTC = new Intl.DateTimeFormat('en', { ...FORMAT, timeZone: 'UTC' })

export function formatUtc(iso: string | Date) {
  return `${UTC.format(new Date(iso))} UTC`
}

export function LocalTime({ iso }: { iso: string | Date }) {
  const date = new Date(iso)
  const [text, setText] = useState(() => formatUtc(date))
  const time = date.getTime()
  useEffect(() => {
    setText(new Intl.DateTimeFormat(undefined, FORMAT).format(new Date(time)))
  }, [time])
  return <time dateTime={date.toISOString()}>{text}</time>
}
