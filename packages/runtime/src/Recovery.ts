import { Effect } from 'effect'
import type { Ids } from '@switchboard/core'
import { Timers } from '@switchboard/store'
import { Pipeline } from './Pipeline.js'
import { Scheduler } from './Scheduler.js'

/**
 * On start: re-arm the deadline of every live call from the store, so a restart loses no timer.
 * (Undelivered callbacks are still in the outbox; the delivery worker resumes them.)
 */
export const rearm = Effect.gen(function* () {
  const timers = yield* Timers
  const scheduler = yield* Scheduler
  const pipeline = yield* Pipeline
  const all = yield* timers.all()
  for (const t of all)
    yield* scheduler.arm(t.callId as unknown as Ids.CallConnectionId, t.deadline, pipeline.expire)
  return all.length
})
