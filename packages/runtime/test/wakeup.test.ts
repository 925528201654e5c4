import { describe, expect, it } from 'vitest'
import { Effect, Fiber } from 'effect'
import * as Wakeup from '../src/Wakeup.js'

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

describe('Wakeup', () => {
  it('coalesces: wakes before a take count as one', async () => {
    const result = await run(
      Effect.gen(function* () {
        const w = Wakeup.make()
        yield* w.wake
        yield* w.wake
        yield* w.wake
        yield* w.take
        const second = yield* Effect.fork(w.take)
        yield* Effect.yieldNow()
        const waiting = second.unsafePoll() === null
        yield* w.wake
        yield* Fiber.join(second)
        return { waiting, done: second.unsafePoll() !== null }
      }),
    )
    expect(result).toEqual({ waiting: true, done: true })
  })

  it('a wake resumes the longest-waiting taker, one per wake', async () => {
    const order = await run(
      Effect.gen(function* () {
        const w = Wakeup.make()
        const woken: Array<number> = []
        const takers = yield* Effect.forEach([1, 2], (n) =>
          Effect.fork(
            Effect.zipRight(
              w.take,
              Effect.sync(() => woken.push(n)),
            ),
          ),
        )
        yield* Effect.yieldNow()
        yield* w.wake
        yield* Effect.yieldNow()
        const afterOne = [...woken]
        yield* w.wake
        yield* Fiber.joinAll(takers)
        return { afterOne, all: woken }
      }),
    )
    expect(order).toEqual({ afterOne: [1], all: [1, 2] })
  })

  it('an interrupted taker leaves the next wake to the others', async () => {
    const result = await run(
      Effect.gen(function* () {
        const w = Wakeup.make()
        const gone = yield* Effect.fork(w.take)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(gone)
        yield* w.wake
        // the wake was kept for the next take, which returns at once
        const next = yield* Effect.fork(w.take)
        yield* Effect.yieldNow()
        return next.unsafePoll() !== null
      }),
    )
    expect(result).toBe(true)
  })
})
