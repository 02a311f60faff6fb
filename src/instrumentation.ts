// Runs once as the server starts. The work lives in src/server/startup.ts, imported only on the Node.js runtime:
// Next also compiles this file for the Edge runtime, which has no process.exit.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./server/startup')
    startServer()
  }
}
