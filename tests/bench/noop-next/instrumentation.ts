// Empty on purpose. Without a file of its own, Turbopack (16.4.6) bundles the repository's src/instrumentation.ts into
// this app, which then starts our runtime and refuses to boot without its configuration.
export function register() {}
