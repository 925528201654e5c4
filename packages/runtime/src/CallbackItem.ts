import type { Event, Instruction } from '@switchboard/core'

/**
 * The payload of a `callback` outbox item: the core's NotifyCallback plus the CloudEvent id minted
 * when it was committed (so a redelivery after a crash carries the same id and receivers can
 * deduplicate).
 */
export interface CallbackItem {
  readonly eventId: string
  readonly callbackUri: string
  readonly sequence: number
  readonly call: Instruction.CallRef
  readonly event: Event.CallbackEvent
}

export const kind = 'callback'

export const fromNotify = (notify: Instruction.NotifyCallback, eventId: string): CallbackItem => ({
  eventId,
  callbackUri: notify.callbackUri,
  sequence: notify.sequence,
  call: notify.call,
  event: notify.event,
})

/** The NotifyCallback an item carries (for `@switchboard/wire`'s CloudEvent encoder). */
export const toNotify = (item: CallbackItem): Instruction.NotifyCallback => ({
  _tag: 'NotifyCallback',
  callbackUri: item.callbackUri,
  sequence: item.sequence,
  call: item.call,
  event: item.event,
})

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null

/** Reads an item's payload back; null when it is not a callback item this version wrote. */
export const parse = (payload: unknown): CallbackItem | null =>
  isObject(payload) &&
  typeof payload.eventId === 'string' &&
  typeof payload.callbackUri === 'string' &&
  typeof payload.sequence === 'number' &&
  isObject(payload.call) &&
  isObject(payload.event) &&
  typeof payload.event._tag === 'string'
    ? (payload as unknown as CallbackItem)
    : null
