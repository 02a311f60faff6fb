// The bench measures the adapter, not the terminal: where stdout goes (a TTY, a pipe, a file) would decide the
// figures if every request's access line were written. Warnings and errors still print. Import after load-env
// and before anything reads the configuration; LOG_LEVEL set by the caller or .env wins.
process.env.LOG_LEVEL ??= 'warn'
