import { Context, Effect, Layer } from 'effect'

/**
 * Tells the outbox workers that items were committed, so delivery starts at once instead of at
 * the next poll. Coalescing: many wakes before a take count as one.
 */
export interface WakeupService {
  readonly wake: Effect.Effect<void>
  /** Waits for the next wake. */
  readonly take: Effect.Effect<void>
}

export class Wakeup extends Context.Tag('@switchboard/runtime/Wakeup')<Wakeup, WakeupService>() {}

/**
 * A flag and the takers waiting: a wake resumes the longest-waiting taker, or sets the flag when
 * nobody waits (a sliding queue of one, without a queue: `wake` is on every commit that adds
 * callbacks, so it is one synchronous step).
 */
export const make = (): WakeupService => {
  let pending = false
  const takers: Array<(done: Effect.Effect<void>) => void> = []
  return {
    wake: Effect.sync(() => {
      const taker = takers.shift()
      if (taker !== undefined) taker(Effect.void)
      else pending = true
    }),
    take: Effect.async<void>((resume) => {
      if (pending) {
        pending = false
        resume(Effect.void)
        return
      }
      takers.push(resume)
      return Effect.sync(() => {
        const i = takers.indexOf(resume)
        if (i >= 0) takers.splice(i, 1)
      })
    }),
  }
}

export const layer: Layer.Layer<Wakeup> = Layer.sync(Wakeup, make)
