/**
 * One line per request: method, path, operation, call id, status, ACS code (on errors) and
 * duration. `human` (the default) is a short aligned line; `json` one JSON object per line for log
 * shippers; `none` writes nothing.
 *
 * Lines written to a stream are batched (`batched`): one write per event-loop turn, not one
 * synchronous write per request (standard output to a file or a pipe is synchronous in Node).
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
  /** False with `none`: callers can skip building entries. */
  readonly enabled: boolean
  readonly request: (entry: Entry) => void
  /** A defect caught at the edge (never expected); written at once, with what was batched. */
  readonly defect: (message: string, cause: unknown) => void
  /** Writes what is batched now. */
  readonly flush: () => void
}

/** Where lines go: one at a time, and `flush` for what a batching sink holds. */
export interface Sink {
  readonly line: (line: string) => void
  readonly flush: () => void
}

/** Each line written as it comes (`write` adds the line break). */
export const direct = (write: (line: string) => void): Sink => ({
  line: write,
  flush: () => undefined,
})

/**
 * Lines collected during one event-loop turn and written to `out` as one chunk (each line ends
 * with a line break) when the turn ends, or as soon as `maxChars` are waiting.
 */
export const batched = (out: (chunk: string) => void, maxChars = 64 * 1024): Sink => {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    const chunk = pending
    pending = ''
    out(chunk)
  }
  return {
    line: (l) => {
      pending += `${l}\n`
      if (pending.length >= maxChars) flush()
      else if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}

const describe = (cause: unknown): string =>
  cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)

export const make = (format: Format, sink: Sink): Logger => {
  if (format === 'none')
    return {
      enabled: false,
      request: () => undefined,
      defect: () => undefined,
      flush: () => undefined,
    }
  const write = sink.line
  const defect = (line: string) => {
    write(line)
    sink.flush()
  }
  if (format === 'json')
    return {
      enabled: true,
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
        defect(
          JSON.stringify({
            time: new Date().toISOString(),
            level: 'error',
            message,
            cause: describe(cause),
          }),
        ),
      flush: sink.flush,
    }
  return {
    enabled: true,
    request: (e) =>
      write(
        `${new Date().toISOString().slice(11, 23)} ${e.status} ${e.method.padEnd(6)} ${e.operation.padEnd(30)} ${(e.durationMs.toFixed(1) + 'ms').padStart(8)}${e.callId !== undefined ? ` call=${e.callId}` : ''}${e.code !== undefined ? ` code=${e.code}` : ''}${e.replayed === true ? ' (replayed)' : ''}`,
      ),
    defect: (message, cause) => defect(`DEFECT ${message}: ${describe(cause)}`),
    flush: sink.flush,
  }
}
