import { randomUUID } from 'node:crypto'
import { Context, Effect, Layer } from 'effect'

/** Where fresh ids come from (call ids, CloudEvent ids): random UUIDs, or a counter in tests. */
export interface IdSourceService {
  readonly uuid: Effect.Effect<string>
}

export class IdSource extends Context.Tag('@switchboard/runtime/IdSource')<
  IdSource,
  IdSourceService
>() {}

/** Random version 4 UUIDs. */
export const random: Layer.Layer<IdSource> = Layer.succeed(IdSource, {
  uuid: Effect.sync(() => randomUUID()),
})

/** `00000000-0000-4000-8000-<counter>`: deterministic, for tests and simulations. */
export const sequential = (prefix = '00000000-0000-4000-8000-'): Layer.Layer<IdSource> =>
  Layer.sync(IdSource, () => {
    let n = 0
    return {
      uuid: Effect.sync(() => `${prefix}${String(++n).padStart(12, '0')}`),
    }
  })
