// Runs once as the server starts. A bad configuration stops the process at once, loudly (config() throws, and Next
// exits non-zero); the database is opened in the background with retries, so a database that is down at start
// costs 503s until it is back rather than a server that answers 500 until someone restarts it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { config } = await import('./server/config')
  const { installConsoleFilter } = await import('./server/log')
  const { openRuntimeInBackground, registerShutdownHooks } = await import('./server/runtime')
  config()
  installConsoleFilter()
  registerShutdownHooks()
  openRuntimeInBackground()
}
