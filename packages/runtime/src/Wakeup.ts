import { Context, Effect, Layer, Queue } from 'effect'

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

export const layer: Layer.Layer<Wakeup> = Layer.effect(
  Wakeup,
  Effect.map(Queue.sliding<void>(1), (queue) => ({
    wake: Effect.asVoid(Queue.offer(queue, undefined)),
    take: Queue.take(queue),
  })),
)
