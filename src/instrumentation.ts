// Opens the database (running migrations, seeding the demo account in development) as the server starts,
// so the first request does not pay for it and a bad configuration fails at once, loudly.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { getRuntime } = await import('./server/runtime')
  await getRuntime()
}
