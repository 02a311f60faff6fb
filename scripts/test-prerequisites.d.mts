// Types for test-prerequisites.mjs, which plain Node runs before anything is compiled.
type Env = Record<string, string | undefined>
export const SUPPORTED_NODE: string
export const SYSTEM_CHROMIUM_PATHS: readonly string[]
export const HOW_TO_GET_CHROMIUM: string
export function checkNode(version: string): string | null
export function playwrightChromiumPath(): string | null
export type Chromium =
  | { ok: true; kind: 'CHROMIUM_PATH' | 'system'; executablePath: string }
  | { ok: true; kind: 'playwright'; executablePath: null; found: string }
  | { ok: false; problem: string }
export function findChromium(options?: { env?: Env; exists?: (path: string) => boolean; playwrightPath?: string | null }): Chromium
export function checkPostgres(databaseUrl: string | undefined, options?: { timeoutMs?: number }): Promise<string | null>
export function checkPgBouncer(env?: Env, exists?: (path: string) => boolean): string | null
export function prerequisiteProblems(options?: { env?: Env; nodeVersion?: string; browser?: boolean }): Promise<string[]>
