/**
 * Group commit: operations of one kind issued while earlier ones are still under way are
 * queued and sent together, as one statement (one round trip, one transaction, one commit),
 * when a slot frees. An operation issued when a slot is free and nothing is queued goes alone
 * at once, so a lone writer waits for nothing.
 */
import { StoreInputError } from './Errors.js'

/** How a SQL store groups concurrent writes. `false` sends every operation on its own. */
export type GroupCommitOptions =
  | boolean
  | {
      /** Most operations in one statement. Default 256. */
      readonly maxBatch?: number
      /** Most bytes of encoded payload in one batch. Default 1 MiB. */
      readonly maxBatchBytes?: number
      /**
       * A request larger than this (encoded payload bytes) is sent on its own at once, as
       * without group commit: its rows, not its round trip, are its cost. Default 16 KiB.
       */
      readonly maxGroupedBytes?: number
      /**
       * Statements of one kind (appends; acknowledgements; reschedules) in flight at once
       * before further ones queue up for the next batch. Default 1: on PGlite statements run
       * one at a time anyway, and on PostgreSQL one append statement in flight halved the CPU
       * per append (client and server) against two or four, under 16 concurrent writers.
       */
      readonly maxInFlight?: number
      /**
       * Queue an operation that finds the slot free for one turn of the event loop
       * (setImmediate) instead of sending it at once, so the operations issued by the other I/O
       * callbacks of that turn (the other requests that arrived together) go with it. Default:
       * on for PGlite, whose statements run on this thread and hold the event loop while they
       * run, so that without it concurrent requests reach the store one at a time and each pays
       * a statement of its own; off for PostgreSQL, whose statements leave the thread free and
       * whose queue fills while one is in flight. The SQL stores gather appends only.
       */
      readonly gather?: boolean
    }

export interface Settings {
  readonly enabled: boolean
  readonly maxBatch: number
  readonly maxBatchBytes: number
  readonly maxGroupedBytes: number
  readonly maxInFlight: number
  readonly gather: boolean
}

/** The settings of `o`; a value that is not a positive integer is a StoreInputError. */
export const resolve = (o: GroupCommitOptions | undefined, gather = false): Settings => {
  if (o !== undefined && typeof o !== 'boolean' && (typeof o !== 'object' || o === null))
    throw new StoreInputError({ field: 'groupCommit', reason: 'must be a boolean or an object' })
  const x = typeof o === 'object' ? o : {}
  const positive = (
    field: 'maxBatch' | 'maxBatchBytes' | 'maxGroupedBytes' | 'maxInFlight',
    d: number,
  ): number => {
    const n: unknown = x[field]
    if (n === undefined) return d
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
      throw new StoreInputError({
        field: `groupCommit.${field}`,
        reason: 'must be an integer >= 1',
      })
    return n
  }
  const maxBatch = positive('maxBatch', 256)
  return {
    enabled: o !== false && maxBatch > 1,
    maxBatch,
    maxBatchBytes: positive('maxBatchBytes', 1024 * 1024),
    maxGroupedBytes: positive('maxGroupedBytes', 16 * 1024),
    maxInFlight: positive('maxInFlight', 1),
    gather: gatherOf(x.gather, gather),
  }
}

const gatherOf = (g: unknown, d: boolean): boolean => {
  if (g === undefined) return d
  if (typeof g !== 'boolean')
    throw new StoreInputError({ field: 'groupCommit.gather', reason: 'must be a boolean' })
  return g
}

/** The outcome of one operation of a batch. */
export type Settled<A> =
  { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: unknown }

interface Waiting<R, A> {
  readonly request: R
  readonly bytes: number
  readonly resolve: (a: A) => void
  readonly reject: (e: unknown) => void
}

/**
 * A queue in front of `one` (an operation alone) and `many` (several in one statement,
 * settling each by itself, in the order given).
 */
export const make = <R, A>(
  settings: Settings,
  one: (request: R) => Promise<A>,
  many: (requests: ReadonlyArray<R>) => Promise<ReadonlyArray<Settled<A>>>,
): ((request: R, bytes?: number) => Promise<A>) => {
  if (!settings.enabled) return (request) => one(request)
  let running = 0
  const queue: Array<Waiting<R, A>> = []

  /**
   * After a batch of several, when fewer operations wait than the batch released, the slot is
   * kept for one turn of the event loop (setImmediate): the callers just released (request
   * loops, pipelines) issue their next operations in that turn and go together with those
   * waiting, rather than those waiting alone and the released ones in the batch after (16
   * writers in a loop otherwise settle into batches of 1 and 15, two commits per 16 appends).
   * After an operation alone (a lone writer) the slot frees at once.
   */
  const done = (size: number) => () => {
    if (size > 1 && queue.length < size)
      setImmediate(() => {
        running--
        pump()
      })
    else {
      running--
      pump()
    }
  }

  /** A turn of the event loop is being waited for before the queue is sent (`gather`). */
  let gathering = false
  const gathered = () => {
    gathering = false
    pump()
  }

  const pump = () => {
    while (running < settings.maxInFlight && queue.length > 0) {
      let n = 1
      let bytes = queue[0]?.bytes ?? 0
      while (n < queue.length && n < settings.maxBatch) {
        const next = queue[n] as Waiting<R, A>
        if (bytes + next.bytes > settings.maxBatchBytes) break
        bytes += next.bytes
        n++
      }
      const batch = queue.splice(0, n)
      running++
      if (batch.length === 1) {
        const w = batch[0] as Waiting<R, A>
        one(w.request).then(w.resolve, w.reject).finally(done(1))
        continue
      }
      many(batch.map((w) => w.request))
        .then(
          (results) =>
            batch.forEach((w, i) => {
              const r = results[i]
              if (r === undefined) w.reject(new Error('group commit: no outcome for a request'))
              else if (r.ok) w.resolve(r.value)
              else w.reject(r.error)
            }),
          (e: unknown) => batch.forEach((w) => w.reject(e)),
        )
        .finally(done(batch.length))
    }
  }

  return (request, bytes = 0) => {
    if (bytes > settings.maxGroupedBytes) return one(request)
    if (running < settings.maxInFlight && queue.length === 0) {
      if (!settings.gather) {
        running++
        return one(request).finally(done(1))
      }
      if (!gathering) {
        gathering = true
        setImmediate(gathered)
      }
      return new Promise<A>((resolve, reject) => {
        queue.push({ request, bytes, resolve, reject })
      })
    }
    return new Promise<A>((resolve, reject) => {
      queue.push({ request, bytes, resolve, reject })
      if (!gathering) pump()
    })
  }
}
