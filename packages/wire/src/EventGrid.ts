import type { Either } from 'fp-ts/lib/Either.js'
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { Identifier } from '@switchboard/core'
import * as Failure from './Failure.js'
import * as Identifiers from './Identifiers.js'
import { IdentifierModel } from './Identifiers.js'
import { IsoDateTime } from './Shapes.js'

/**
 * Event Grid (reference section 8): the `Microsoft.Communication.IncomingCall` event (EventGridEvent
 * schema, delivered as a JSON array) and the subscription validation handshake.
 */

export const incomingCallType = 'Microsoft.Communication.IncomingCall'
export const validationType = 'Microsoft.EventGrid.SubscriptionValidationEvent'

export const EventGridEvent = t.intersection(
  [
    t.type({
      id: t.string,
      subject: t.string,
      eventType: t.string,
      eventTime: IsoDateTime,
      dataVersion: t.string,
    }),
    t.partial({ topic: t.string, data: t.unknown, metadataVersion: t.string }),
  ],
  'EventGridEvent',
)
export type EventGridEvent = t.TypeOf<typeof EventGridEvent>

export const IncomingCallData = t.intersection(
  [
    t.type({
      to: IdentifierModel,
      from: IdentifierModel,
      serverCallId: t.string,
      incomingCallContext: t.string,
      correlationId: t.string,
    }),
    t.partial({
      callerDisplayName: t.string,
      customContext: t.partial({
        sipHeaders: t.record(t.string, t.string),
        voipHeaders: t.record(t.string, t.string),
      }),
      onBehalfOfCallee: IdentifierModel,
    }),
  ],
  'IncomingCallData',
)
export type IncomingCallData = t.TypeOf<typeof IncomingCallData>

export const SubscriptionValidationData = t.intersection(
  [t.type({ validationCode: t.string }), t.partial({ validationUrl: t.string })],
  'SubscriptionValidationEventData',
)

export const ValidationResponse = t.type(
  { validationResponse: t.string },
  'SubscriptionValidationResponse',
)
export type ValidationResponse = t.TypeOf<typeof ValidationResponse>

export interface IncomingCall {
  readonly _tag: 'IncomingCall'
  readonly id: string
  readonly time: string
  readonly to: Identifier.Identifier
  readonly from: Identifier.Identifier
  readonly data: IncomingCallData
}
export interface SubscriptionValidation {
  readonly _tag: 'SubscriptionValidation'
  readonly id: string
  readonly validationCode: string
  readonly validationUrl?: string
}
export interface Unknown {
  readonly _tag: 'Unknown'
  readonly id: string
  readonly eventType: string
  readonly raw: unknown
}
export type Received = IncomingCall | SubscriptionValidation | Unknown

export interface EventGridError {
  readonly _tag: 'EventGridError'
  readonly message: string
}
const fail = (message: string): Either<EventGridError, never> =>
  left({ _tag: 'EventGridError', message })

const one = (u: unknown, at: string): Either<EventGridError, Received> => {
  const env = EventGridEvent.decode(u)
  if (isLeft(env)) return fail(`${at}${Failure.toMessage(env.left)}`)
  const e = env.right
  if (e.eventType === incomingCallType) {
    const d = IncomingCallData.decode(e.data)
    if (isLeft(d)) return fail(`${at}data.${Failure.toMessage(d.left)}`)
    return right({
      _tag: 'IncomingCall',
      id: e.id,
      time: e.eventTime,
      to: Identifiers.toCore(d.right.to),
      from: Identifiers.toCore(d.right.from),
      data: d.right,
    })
  }
  if (e.eventType === validationType) {
    const d = SubscriptionValidationData.decode(e.data)
    if (isLeft(d)) return fail(`${at}data.${Failure.toMessage(d.left)}`)
    return right({
      _tag: 'SubscriptionValidation',
      id: e.id,
      validationCode: d.right.validationCode,
      ...(d.right.validationUrl !== undefined ? { validationUrl: d.right.validationUrl } : {}),
    })
  }
  return right({ _tag: 'Unknown', id: e.id, eventType: e.eventType, raw: u })
}

/** Decodes an Event Grid delivery (an array, or a single event). Never throws. */
export const decodeBatch = (json: unknown): Either<EventGridError, ReadonlyArray<Received>> => {
  const items = Array.isArray(json) ? json : [json]
  const out: Array<Received> = []
  for (let i = 0; i < items.length; i++) {
    const r = one(items[i], Array.isArray(json) ? `[${i}].` : '')
    if (isLeft(r)) return r
    out.push(r.right)
  }
  return right(out)
}

export interface IncomingCallParams {
  readonly id: string
  readonly topic: string
  readonly time: string
  readonly to: Identifier.Identifier
  readonly from: Identifier.Identifier
  readonly serverCallId: string
  readonly incomingCallContext: string
  readonly correlationId: string
  readonly callerDisplayName?: string
}

/** The IncomingCall event Event Grid delivers for a call to one of the resource's identities. */
export const incomingCall = (p: IncomingCallParams): EventGridEvent => ({
  id: p.id,
  topic: p.topic,
  subject: `/caller/${Identifier.rawId(p.from)}/recipient/${Identifier.rawId(p.to)}`,
  data: {
    to: Identifiers.fromCore(p.to),
    from: Identifiers.fromCore(p.from),
    serverCallId: p.serverCallId,
    ...(p.callerDisplayName !== undefined ? { callerDisplayName: p.callerDisplayName } : {}),
    incomingCallContext: p.incomingCallContext,
    correlationId: p.correlationId,
  },
  eventType: incomingCallType,
  dataVersion: '1.0',
  metadataVersion: '1',
  eventTime: p.time,
})

/** The event Event Grid sends when a webhook subscription is created. */
export const subscriptionValidation = (p: {
  readonly id: string
  readonly topic: string
  readonly time: string
  readonly validationCode: string
  readonly validationUrl?: string
}): EventGridEvent => ({
  id: p.id,
  topic: p.topic,
  subject: '',
  data: {
    validationCode: p.validationCode,
    ...(p.validationUrl !== undefined ? { validationUrl: p.validationUrl } : {}),
  },
  eventType: validationType,
  dataVersion: '2',
  metadataVersion: '1',
  eventTime: p.time,
})

/** The synchronous handshake reply: `200 {"validationResponse": "<validationCode>"}`. */
export const validationResponse = (validationCode: string): ValidationResponse => ({
  validationResponse: validationCode,
})

/** A delivery body: a JSON array of events. */
export const encodeBatch = (events: ReadonlyArray<EventGridEvent>): string => JSON.stringify(events)
