import type { Event, Instruction } from '@switchboard/core'
import { Ids, ResultInformation } from '@switchboard/core'
import type { CallbackItem } from '@switchboard/runtime'
import type { CallId, EventStoreService, Json } from '@switchboard/store'
import { Effect } from 'effect'

/** Callback items committed straight into a store, as the pipeline commits them. */
export const callRef = (i: number): Instruction.CallRef => ({
  callConnectionId: Ids.unsafe.callConnectionId(`call-${i}`),
  serverCallId: Ids.unsafe.serverCallId(`server-${i}`),
  correlationId: Ids.unsafe.correlationId(`corr-${i}`),
})

export const playCompleted = (k: number, at: number): Event.CallbackEvent =>
  ({
    _tag: 'PlayCompleted',
    at,
    resultInformation: ResultInformation.success,
    operationContext: `ctx-${k}`,
  }) as Event.CallbackEvent

export const item = (
  call: number,
  sequence: number,
  callbackUri: string,
  at: number,
  event: Event.CallbackEvent = playCompleted(sequence, at),
): CallbackItem.CallbackItem => ({
  eventId: `evt-${call}-${sequence}`,
  callbackUri,
  sequence,
  call: callRef(call),
  event,
})

/** Appends one callback for the call (its next sequence), with an event log entry. */
export const commit = (
  events: EventStoreService,
  items: ReadonlyArray<CallbackItem.CallbackItem>,
  dueAt: number,
) =>
  Effect.gen(function* () {
    const callId = items[0]!.call.callConnectionId as unknown as CallId
    for (;;) {
      const version = yield* events.version(callId)
      const r = yield* Effect.either(
        events.append({
          callId,
          expectedVersion: version,
          events: items.map((i) => ({
            type: i.event._tag,
            at: dueAt,
            payload: i.event as unknown as Json,
          })),
          outbox: items.map((i) => ({
            kind: 'callback',
            payload: i as unknown as Json,
            dueAt,
          })),
        }),
      )
      if (r._tag === 'Right') return r.right
      if (r.left._tag !== 'StoreConflictError') return yield* Effect.fail(r.left)
    }
  })
