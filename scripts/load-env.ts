// The .env files Next itself loads (.env, .env.local, .env.<mode>, .env.<mode>.local), for the scripts that run
// outside Next (db:migrate, db:seed, bench): without them a script would migrate the embedded database while the
// app, reading DATABASE_URL from .env, uses PostgreSQL. Import this module FIRST, before anything reads config().
import { createRequire } from 'node:module'

// @next/env is a CommonJS bundle whose exports Node's ESM loader cannot see by name: require it.
const nextEnv: typeof import('@next/env') = createRequire(import.meta.url)('@next/env')

/** Loads `dir`'s .env files into process.env; variables already set win, as in Next. */
export function loadScriptEnv(dir: string = process.cwd()): void {
  nextEnv.loadEnvConfig(dir, process.env.NODE_ENV !== 'production', undefined, true)
}

loadScriptEnv()
