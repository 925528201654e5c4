/**
 * One line per request: method, path, operation, call id, status, ACS code (on errors) and
 * duration. `human` (the default) is a short aligned line; `json` one JSON object per line for log
 * shippers; `none` writes nothing.
 */

export type Format = 'human' | 'json' | 'none'

export interface Entry {
  readonly method: string
  readonly path: string
  readonly operation: string
  readonly callId?: string
  readonly status: number
  readonly code?: string
  readonly durationMs: number
  /** A repeated request answered from the idempotency record. */
  readonly replayed?: boolean
}

export interface Logger {
  readonly request: (entry: Entry) => void
  /** A defect caught at the edge (never expected). */
  readonly defect: (message: string, cause: unknown) => void
}

const describe = (cause: unknown): string =>
  cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)

export const make = (format: Format, write: (line: string) => void): Logger => {
  if (format === 'none') return { request: () => undefined, defect: () => undefined }
  if (format === 'json')
    return {
      request: (e) =>
        write(
          JSON.stringify({
            time: new Date().toISOString(),
            level: e.status >= 500 ? 'error' : e.status >= 400 ? 'warn' : 'info',
            ...e,
            durationMs: Math.round(e.durationMs * 100) / 100,
          }),
        ),
      defect: (message, cause) =>
        write(
          JSON.stringify({
            time: new Date().toISOString(),
            level: 'error',
            message,
            cause: describe(cause),
          }),
        ),
    }
  return {
    request: (e) =>
      write(
        `${new Date().toISOString().slice(11, 23)} ${e.status} ${e.method.padEnd(6)} ${e.operation.padEnd(30)} ${(e.durationMs.toFixed(1) + 'ms').padStart(8)}${e.callId !== undefined ? ` call=${e.callId}` : ''}${e.code !== undefined ? ` code=${e.code}` : ''}${e.replayed === true ? ' (replayed)' : ''}`,
      ),
    defect: (message, cause) => write(`DEFECT ${message}: ${describe(cause)}`),
  }
}
