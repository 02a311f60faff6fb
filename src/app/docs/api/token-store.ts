// The API token the reference's "Try it" forms share, in this page's memory; in sessionStorage only when the reader
// ticks "Keep in this tab", and removed from it when they untick it. It never leaves the browser except in the
// Authorization header of a request to this site's own API (try-it.tsx).

const STORAGE_KEY = 'twofold.api-docs.token'

let token: string | null = null
let kept = false
const listeners = new Set<() => void>()

function load() {
  if (token !== null) return
  try {
    const stored = sessionStorage.getItem(STORAGE_KEY)
    token = stored ?? ''
    kept = stored !== null
  } catch {
    // Storage refused (a privacy setting): the token lives in memory only.
    token = ''
  }
}

function store() {
  try {
    if (kept) sessionStorage.setItem(STORAGE_KEY, token ?? '')
    else sessionStorage.removeItem(STORAGE_KEY)
  } catch {
    // As above: memory only.
  }
  for (const listener of listeners) listener()
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export const currentToken = (): string => {
  load()
  return token ?? ''
}

export const tokenKept = (): boolean => {
  load()
  return kept
}

/** What the server renders: no token, nothing kept (the browser's storage is not known there). */
export const serverToken = () => ''
export const serverKept = () => false

export function setToken(value: string) {
  load()
  token = value
  store()
}

export function keepToken(keep: boolean) {
  load()
  kept = keep
  store()
}
