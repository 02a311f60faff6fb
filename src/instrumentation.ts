// Runs once as the server starts. A bad configuration stops the process at once, loudly and non-zero; the database
// is opened in the background with retries, so a database that is down at start costs 503s until it is back rather
// than a server that answers 500 until someone restarts it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { config } = await import('./server/config')
  try {
    config()
  } catch (error) {
    // Next would only log a failed hook and go on serving errors: a misconfigured instance must not look alive.
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
  const { installConsoleFilter } = await import('./server/log')
  const { openRuntimeInBackground, registerShutdownHooks } = await import('./server/runtime')
  installConsoleFilter()
  registerShutdownHooks()
  openRuntimeInBackground()
}
