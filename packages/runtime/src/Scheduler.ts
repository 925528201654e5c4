import type { Ids } from '@switchboard/core'
import { Clock, Context, Duration, Effect, FiberMap, Layer } from 'effect'

/**
 * In-process timers, one per call, for the call's next deadline (which the store also keeps, so a
 * restarted process re-arms them: see `Recovery`). Time comes from Effect's `Clock`, so a test
 * drives them with `TestClock`.
 */
export interface SchedulerService {
  /** Fires `onDue(callId)` at `deadline` (ms); `null` disarms. Replaces the call's previous timer. */
  readonly arm: <E>(
    callId: Ids.CallConnectionId,
    deadline: number | null,
    onDue: (callId: Ids.CallConnectionId) => Effect.Effect<void, E>,
  ) => Effect.Effect<void>
  /** How many timers are armed. */
  readonly size: Effect.Effect<number>
}

export class Scheduler extends Context.Tag('@switchboard/runtime/Scheduler')<
  Scheduler,
  SchedulerService
>() {}

export const layer: Layer.Layer<Scheduler> = Layer.scoped(
  Scheduler,
  Effect.gen(function* () {
    const fibers = yield* FiberMap.make<string>()
    const armed = new Map<string, number>()
    return Scheduler.of({
      arm: (callId, deadline, onDue) =>
        Effect.suspend(() => {
          // nothing to change (the common case: most commits leave the deadline as it was)
          if (deadline === null ? !armed.has(callId) : armed.get(callId) === deadline)
            return Effect.void
          if (deadline === null) {
            armed.delete(callId)
            return FiberMap.remove(fibers, callId)
          }
          armed.set(callId, deadline)
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            FiberMap.run(
              fibers,
              callId,
              Effect.sleep(Duration.millis(Math.max(0, deadline - now))).pipe(
                Effect.zipRight(Effect.sync(() => armed.delete(callId))),
                // run the handler in a fiber of its own: it re-arms this very key when it commits
                Effect.zipRight(
                  Effect.forkDaemon(
                    onDue(callId).pipe(
                      Effect.catchAllCause((cause) =>
                        Effect.logWarning(`timer of call ${callId} failed`, cause),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          )
        }),
      size: FiberMap.size(fibers),
    })
  }),
)
