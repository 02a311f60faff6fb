// What the server does as it starts (called from src/instrumentation.ts, Node.js runtime only). A bad configuration
// stops the process at once, loudly and non-zero; the database is opened in the background with retries, so a
// database that is down at start costs 503s until it is back rather than a server that answers 500 until someone
// restarts it.
import { config } from './config'
import { installConsoleFilter } from './log'
import { openRuntimeInBackground, registerShutdownHooks } from './runtime'

export function startServer(): void {
  try {
    config()
  } catch (error) {
    // Next would only log a failed hook and go on serving errors: a misconfigured instance must not look alive.
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
  installConsoleFilter()
  registerShutdownHooks()
  openRuntimeInBackground()
}
