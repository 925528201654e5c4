/**
 * What a contract suite needs from an implementation: a way to open a fresh, empty store.
 */
import { Effect, Either } from 'effect'
import type { StoreOptions } from '../Limits.js'
import type { StoreService } from '../Store.js'

/** Opens a fresh, empty store with the given limits. The suites close every store they open. */
export type Factory = (options?: StoreOptions) => Promise<StoreService>

export const run = <A, E>(e: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(e)

/** The typed failure of `e`; fails the test if `e` succeeds. */
export const failure = async <A, E>(e: Effect.Effect<A, E>): Promise<E> => {
  const r = await Effect.runPromise(Effect.either(e))
  if (Either.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`)
  return r.left
}

/** Opens a store, runs `f`, closes the store. */
export const using = async <A>(
  factory: Factory,
  f: (s: StoreService) => Promise<A>,
  options?: StoreOptions,
): Promise<A> => {
  const s = await factory(options)
  try {
    return await f(s)
  } finally {
    await Effect.runPromise(s.close())
  }
}

let n = 0
/** A call id unique within the process. */
export const callId = (prefix = 'call'): string => `${prefix}-${++n}`
