// Types for free-ports.mjs, which plain Node runs before anything is compiled.
export const E2E_PORT_VARIABLES: readonly string[]
export function freePort(): Promise<number>
export function assignPorts(names: readonly string[], env?: Record<string, string | undefined>): Promise<Record<string, string>>
