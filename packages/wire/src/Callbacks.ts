import type { Either } from 'fp-ts/lib/Either.js'
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Ids, Instant, Instruction } from '@switchboard/core'
import { Event, Ids as CoreIds, ResultInformation as CoreResult } from '@switchboard/core'
import * as Failure from './Failure.js'
import * as Identifiers from './Identifiers.js'
import { IdentifierModel } from './Identifiers.js'
import {
  Integer,
  IsoDateTime,
  MediaStreamingStatus,
  ResultInformation,
  Tone,
  TranscriptionStatus,
  Finite,
} from './Shapes.js'

/**
 * Callback events: the CloudEvents 1.0 envelope (POSTed as a JSON array) and the `data` of every
 * event type SDK 1.6.0 parses (reference section 4), with the mapping to and from core events.
 *
 * Switchboard adds one CloudEvents extension attribute, `sequence`: an integer that rises by one
 * per callback of a call (1, 2, 3...), so receivers can order events and spot gaps. The SDK's
 * parser ignores it.
 */

export const prefix = 'Microsoft.Communication.'
/** The `version` written in `data` when the caller gives none: what SDK 1.6.0 sends. */
export const defaultApiVersion = '2026-03-12'

// ------------------------------------------------------------------ data codecs

const ids = t.type({ callConnectionId: t.string, serverCallId: t.string, correlationId: t.string })
const common = t.partial({
  operationContext: t.string,
  resultInformation: ResultInformation,
  version: t.string,
  publicEventType: t.string,
})

/** `B` of reference 4.2: call ids, `operationContext`, `resultInformation` (+ `version`, `publicEventType`). */
export const Base = t.intersection([ids, common], 'EventBase')

const withFields = <P extends t.Props>(name: string, required: P) =>
  t.intersection([ids, common, t.type(required)], name)
const withOptional = <P extends t.Props>(name: string, optional: P) =>
  t.intersection([ids, common, t.partial(optional)], name)

export const CallParticipant = t.intersection(
  [t.type({ identifier: IdentifierModel }), t.partial({ isMuted: t.boolean, isOnHold: t.boolean })],
  'CallParticipant',
)
export type CallParticipant = t.TypeOf<typeof CallParticipant>

export const MediaStreamingUpdate = t.type(
  {
    contentType: t.string,
    mediaStreamingStatus: MediaStreamingStatus,
    mediaStreamingStatusDetails: t.string,
  },
  'MediaStreamingUpdate',
)
export const TranscriptionUpdate = t.type(
  { transcriptionStatus: TranscriptionStatus, transcriptionStatusDetails: t.string },
  'TranscriptionUpdate',
)

const plain = (name: string) => t.intersection([ids, common], name)
const participantEvent = (name: string) => withFields(name, { participant: IdentifierModel })
const invitationEvent = (name: string) => withFields(name, { invitationId: t.string })
const failedIndex = (name: string) => withOptional(name, { failedPlaySourceIndex: Integer })
const streaming = (name: string) => withFields(name, { mediaStreamingUpdate: MediaStreamingUpdate })
const transcribing = (name: string) =>
  withFields(name, { transcriptionUpdate: TranscriptionUpdate })

export const ChoiceResult = t.intersection(
  [t.type({ label: t.string }), t.partial({ recognizedPhrase: t.string, confidence: Finite })],
  'ChoiceResult',
)
export const SpeechResult = t.type({ speech: t.string, confidence: Finite }, 'SpeechResult')

/** The `data` codec of each callback event type, by core tag (= ACS type without prefix). */
export const data = {
  CallConnected: plain('CallConnectedData'),
  CallDisconnected: plain('CallDisconnectedData'),
  CreateCallFailed: plain('CreateCallFailedData'),
  AnswerFailed: plain('AnswerFailedData'),
  CallTransferAccepted: t.intersection(
    [
      ids,
      common,
      t.type({ transferTarget: IdentifierModel }),
      t.partial({ transferee: IdentifierModel }),
    ],
    'CallTransferAcceptedData',
  ),
  CallTransferFailed: plain('CallTransferFailedData'),
  ParticipantsUpdated: t.intersection(
    [ids, common, t.type({ sequenceNumber: Integer, participants: t.array(CallParticipant) })],
    'ParticipantsUpdatedData',
  ),
  AddParticipantSucceeded: participantEvent('AddParticipantSucceededData'),
  AddParticipantFailed: participantEvent('AddParticipantFailedData'),
  RemoveParticipantSucceeded: participantEvent('RemoveParticipantSucceededData'),
  RemoveParticipantFailed: participantEvent('RemoveParticipantFailedData'),
  CancelAddParticipantSucceeded: invitationEvent('CancelAddParticipantSucceededData'),
  CancelAddParticipantFailed: invitationEvent('CancelAddParticipantFailedData'),
  PlayStarted: plain('PlayStartedData'),
  PlayCompleted: plain('PlayCompletedData'),
  PlayFailed: failedIndex('PlayFailedData'),
  PlayCanceled: plain('PlayCanceledData'),
  RecognizeCompleted: t.intersection(
    [
      ids,
      common,
      t.type({
        recognitionType: t.keyof({ dtmf: null, speech: null, choices: null }, 'RecognitionType'),
      }),
      t.partial({
        dtmfResult: t.type({ tones: t.array(Tone) }, 'DtmfResult'),
        choiceResult: ChoiceResult,
        speechResult: SpeechResult,
      }),
    ],
    'RecognizeCompletedData',
  ),
  RecognizeFailed: failedIndex('RecognizeFailedData'),
  RecognizeCanceled: plain('RecognizeCanceledData'),
  ContinuousDtmfRecognitionToneReceived: withFields('ContinuousDtmfRecognitionToneReceivedData', {
    sequenceId: Integer,
    tone: Tone,
  }),
  ContinuousDtmfRecognitionToneFailed: plain('ContinuousDtmfRecognitionToneFailedData'),
  ContinuousDtmfRecognitionStopped: plain('ContinuousDtmfRecognitionStoppedData'),
  SendDtmfTonesCompleted: plain('SendDtmfTonesCompletedData'),
  SendDtmfTonesFailed: plain('SendDtmfTonesFailedData'),
  HoldFailed: plain('HoldFailedData'),
  MediaStreamingStarted: streaming('MediaStreamingStartedData'),
  MediaStreamingStopped: streaming('MediaStreamingStoppedData'),
  MediaStreamingFailed: streaming('MediaStreamingFailedData'),
  TranscriptionStarted: transcribing('TranscriptionStartedData'),
  TranscriptionStopped: transcribing('TranscriptionStoppedData'),
  TranscriptionUpdated: transcribing('TranscriptionUpdatedData'),
  TranscriptionFailed: transcribing('TranscriptionFailedData'),
} as const satisfies { readonly [K in Event.CallbackEvent['_tag']]: t.Mixed }

export type Tag = Event.CallbackEvent['_tag']
export type Data<K extends Tag = Tag> = t.TypeOf<(typeof data)[K]>

// ------------------------------------------------------------------ envelope

/** The `sequence` extension: an integer; a numeric string is accepted when ingesting. */
export const Sequence = new t.Type<number, number, unknown>(
  'Sequence',
  (u): u is number => Integer.is(u),
  (u, c) => {
    if (Integer.is(u)) return t.success(u)
    if (typeof u === 'string' && /^-?\d{1,15}$/.test(u)) return t.success(Number(u))
    return t.failure(u, c)
  },
  t.identity,
)

export const CloudEvent = t.intersection(
  [
    t.type({ id: t.string, source: t.string, type: t.string, specversion: t.string }),
    t.partial({
      data: t.unknown,
      time: IsoDateTime,
      datacontenttype: t.string,
      subject: t.string,
      dataschema: t.string,
      sequence: Integer,
    }),
  ],
  'CloudEvent',
)
export type CloudEvent = t.TypeOf<typeof CloudEvent>

/** What ingestion accepts: as `CloudEvent`, with `sequence` also as a numeric string. */
const IncomingCloudEvent = t.intersection([
  t.type({ id: t.string, source: t.string, type: t.string, specversion: t.string }),
  t.partial({ data: t.unknown, time: IsoDateTime, sequence: Sequence }),
])

export const Batch = t.array(CloudEvent, 'CloudEventBatch')

// ------------------------------------------------------------------ core → wire

const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } =>
  (v === undefined ? {} : { [k]: v }) as { [P in K]?: V }

const cim = Identifiers.fromCore

/** The type-specific fields of an event's `data`. Internal core fields are left out. */
const specific = (e: Event.CallbackEvent): Record<string, unknown> => {
  switch (e._tag) {
    case 'CallTransferAccepted':
      return {
        transferTarget: cim(e.transferTarget),
        ...opt('transferee', e.transferee && cim(e.transferee)),
      }
    case 'ParticipantsUpdated':
      return {
        sequenceNumber: e.sequenceNumber,
        participants: e.participants.map((p) => ({
          identifier: cim(p.identifier),
          isMuted: p.isMuted,
          isOnHold: p.isOnHold,
        })),
      }
    case 'AddParticipantSucceeded':
    case 'AddParticipantFailed':
    case 'RemoveParticipantSucceeded':
    case 'RemoveParticipantFailed':
      return { participant: cim(e.participant) }
    case 'CancelAddParticipantSucceeded':
    case 'CancelAddParticipantFailed':
      return { invitationId: e.invitationId }
    case 'PlayFailed':
    case 'RecognizeFailed':
      return opt('failedPlaySourceIndex', e.failedPlaySourceIndex)
    case 'RecognizeCompleted':
      return {
        recognitionType: e.recognitionType,
        ...opt('dtmfResult', e.dtmfResult && { tones: e.dtmfResult.tones }),
        ...opt(
          'choiceResult',
          e.choiceResult && {
            label: e.choiceResult.label,
            ...opt('recognizedPhrase', e.choiceResult.recognizedPhrase),
            ...opt('confidence', e.choiceResult.confidence),
          },
        ),
        ...opt(
          'speechResult',
          e.speechResult && {
            speech: e.speechResult.speech,
            confidence: e.speechResult.confidence,
          },
        ),
      }
    case 'ContinuousDtmfRecognitionToneReceived':
      return { sequenceId: e.sequenceId, tone: e.tone }
    case 'MediaStreamingStarted':
    case 'MediaStreamingStopped':
    case 'MediaStreamingFailed':
      return {
        mediaStreamingUpdate: {
          contentType: e.mediaStreamingUpdate.contentType,
          mediaStreamingStatus: e.mediaStreamingUpdate.mediaStreamingStatus,
          mediaStreamingStatusDetails: e.mediaStreamingUpdate.mediaStreamingStatusDetails,
        },
      }
    case 'TranscriptionStarted':
    case 'TranscriptionStopped':
    case 'TranscriptionUpdated':
    case 'TranscriptionFailed':
      return {
        transcriptionUpdate: {
          transcriptionStatus: e.transcriptionUpdate.transcriptionStatus,
          transcriptionStatusDetails: e.transcriptionUpdate.transcriptionStatusDetails,
        },
      }
    default:
      return {}
  }
}

const result = (r: CoreResult.ResultInformation) => ({
  code: r.code,
  subCode: r.subCode,
  message: r.message,
})

/** The `data` of a core callback event for a call. */
export const toData = (
  call: Instruction.CallRef,
  event: Event.CallbackEvent,
  apiVersion: string = defaultApiVersion,
): Data => {
  const operationContext = 'operationContext' in event ? event.operationContext : undefined
  return {
    ...opt('resultInformation', event.resultInformation && result(event.resultInformation)),
    version: apiVersion,
    ...opt('operationContext', operationContext),
    callConnectionId: call.callConnectionId,
    serverCallId: call.serverCallId,
    correlationId: call.correlationId,
    ...specific(event),
    publicEventType: prefix + event._tag,
  } as Data
}

export interface Meta {
  /** The CloudEvent id (chosen by the outbox, stable across redeliveries). */
  readonly id: string
  /** ISO-8601; defaults to the event's `at`. */
  readonly time?: string
  /** Written as `data.version`; defaults to `defaultApiVersion`. */
  readonly apiVersion?: string
}

/** The ISO-8601 form of an instant; an instant outside the date range gives the epoch, never an exception. */
export const isoOf = (at: number): string => {
  const d = new Date(at)
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00.000Z' : d.toISOString()
}

export const sourceOf = (callConnectionId: string): string =>
  `calling/callConnections/${callConnectionId}`

/** The CloudEvent the SDK expects for a `NotifyCallback` instruction. */
export const toCloudEvent = (notify: Instruction.NotifyCallback, meta: Meta): CloudEvent => {
  const source = sourceOf(notify.call.callConnectionId)
  return {
    id: meta.id,
    source,
    type: prefix + notify.event._tag,
    data: toData(notify.call, notify.event, meta.apiVersion),
    time: meta.time ?? isoOf(notify.event.at),
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: source,
    sequence: notify.sequence,
  }
}

/** The body of one callback POST: a JSON array of CloudEvents. */
export const encodeBatch = (events: ReadonlyArray<CloudEvent>): string => JSON.stringify(events)

// ------------------------------------------------------------------ wire → core

export interface Known {
  readonly _tag: 'Known'
  readonly id: string
  readonly time: string
  readonly sequence?: number
  readonly call: Instruction.CallRef
  readonly event: Event.CallbackEvent
}
/** An event type Switchboard's core has no event for (other ACS types, future types): kept verbatim. */
export interface Unknown {
  readonly _tag: 'Unknown'
  readonly id: string
  readonly type: string
  readonly raw: unknown
}
export type Ingested = Known | Unknown

/** Why a callback body could not be ingested; `path` names the offending field (`[0].data.tone`). */
export interface IngestError {
  readonly _tag: 'IngestError'
  readonly path: string
  readonly message: string
}

const ingestError = (path: string, message: string): IngestError => ({
  _tag: 'IngestError',
  path,
  message,
})

const tags: ReadonlySet<string> = new Set(Event.callbackTags)
export const isTag = (s: string): s is Tag => tags.has(s)

const core = Identifiers.toCore
const outcome = (d: t.TypeOf<typeof Base>, at: Instant.Instant) => ({
  at,
  resultInformation:
    d.resultInformation !== undefined ? result(d.resultInformation) : CoreResult.success,
  ...opt('operationContext', d.operationContext),
})

/** The core event of a decoded `data`. */
export const fromData = (tag: Tag, d: Data, at: Instant.Instant): Event.CallbackEvent => {
  const b = outcome(d, at)
  switch (tag) {
    case 'CallTransferAccepted': {
      const x = d as Data<'CallTransferAccepted'>
      return {
        _tag: tag,
        ...b,
        transferTarget: core(x.transferTarget),
        ...opt('transferee', x.transferee && core(x.transferee)),
      }
    }
    case 'ParticipantsUpdated': {
      const x = d as Data<'ParticipantsUpdated'>
      return {
        _tag: tag,
        at,
        sequenceNumber: x.sequenceNumber,
        participants: x.participants.map((p) => ({
          identifier: core(p.identifier),
          isMuted: p.isMuted === true,
          isOnHold: p.isOnHold === true,
        })),
        ...opt('resultInformation', x.resultInformation && result(x.resultInformation)),
      }
    }
    case 'AddParticipantSucceeded':
    case 'AddParticipantFailed':
    case 'RemoveParticipantSucceeded':
    case 'RemoveParticipantFailed':
      return { _tag: tag, ...b, participant: core((d as Data<typeof tag>).participant) }
    case 'CancelAddParticipantSucceeded':
    case 'CancelAddParticipantFailed':
      return {
        _tag: tag,
        ...b,
        invitationId: CoreIds.unsafe.invitationId((d as Data<typeof tag>).invitationId),
      }
    case 'PlayFailed':
    case 'RecognizeFailed':
      return {
        _tag: tag,
        ...b,
        ...opt('failedPlaySourceIndex', (d as Data<typeof tag>).failedPlaySourceIndex),
      }
    case 'RecognizeCompleted': {
      const x = d as Data<'RecognizeCompleted'>
      return {
        _tag: tag,
        ...b,
        recognitionType: x.recognitionType,
        ...opt('dtmfResult', x.dtmfResult && { tones: x.dtmfResult.tones }),
        ...opt(
          'choiceResult',
          x.choiceResult && {
            label: x.choiceResult.label,
            ...opt('recognizedPhrase', x.choiceResult.recognizedPhrase),
            ...opt('confidence', x.choiceResult.confidence),
          },
        ),
        ...opt(
          'speechResult',
          x.speechResult && {
            speech: x.speechResult.speech,
            confidence: x.speechResult.confidence,
          },
        ),
      }
    }
    case 'ContinuousDtmfRecognitionToneReceived': {
      const x = d as Data<'ContinuousDtmfRecognitionToneReceived'>
      return { _tag: tag, ...b, sequenceId: x.sequenceId, tone: x.tone }
    }
    case 'MediaStreamingStarted':
    case 'MediaStreamingStopped':
    case 'MediaStreamingFailed': {
      const u = (d as Data<typeof tag>).mediaStreamingUpdate
      return {
        _tag: tag,
        ...b,
        mediaStreamingUpdate: {
          contentType: u.contentType,
          mediaStreamingStatus: u.mediaStreamingStatus,
          mediaStreamingStatusDetails: u.mediaStreamingStatusDetails,
        },
      }
    }
    case 'TranscriptionStarted':
    case 'TranscriptionStopped':
    case 'TranscriptionUpdated':
    case 'TranscriptionFailed': {
      const u = (d as Data<typeof tag>).transcriptionUpdate
      return {
        _tag: tag,
        ...b,
        transcriptionUpdate: {
          transcriptionStatus: u.transcriptionStatus,
          transcriptionStatusDetails: u.transcriptionStatusDetails,
        },
      }
    }
    default:
      return { _tag: tag, ...b } as Event.CallbackEvent
  }
}

const callRef = (d: t.TypeOf<typeof ids>): Instruction.CallRef | null => {
  const callConnectionId = CoreIds.callConnectionId(d.callConnectionId)
  const serverCallId = CoreIds.serverCallId(d.serverCallId)
  const correlationId = CoreIds.correlationId(d.correlationId)
  return callConnectionId !== null && serverCallId !== null && correlationId !== null
    ? { callConnectionId, serverCallId, correlationId }
    : null
}

const ingestOne = (u: unknown, at: string): Either<IngestError, Ingested> => {
  const env = IncomingCloudEvent.decode(u)
  if (isLeft(env)) {
    const d = Failure.describe(env.left)
    return left(
      ingestError(at + (d.path === '' ? '' : `.${d.path}`), `${d.path || 'event'} ${d.message}`),
    )
  }
  const e = env.right
  const tag = e.type.startsWith(prefix) ? e.type.slice(prefix.length) : ''
  if (!isTag(tag)) return right({ _tag: 'Unknown', id: e.id, type: e.type, raw: u })
  if (e.time === undefined) return left(ingestError(`${at}.time`, 'time is required'))
  const dr = (data[tag] as t.Decoder<unknown, Data>).decode(e.data)
  if (isLeft(dr)) {
    const d = Failure.describe(dr.left)
    const path = `${at}.data${d.path === '' ? '' : `.${d.path}`}`
    return left(ingestError(path, `${path} ${d.message}`))
  }
  const call = callRef(dr.right)
  if (call === null)
    return left(
      ingestError(
        `${at}.data`,
        'callConnectionId, serverCallId and correlationId must be 1 to 256 characters',
      ),
    )
  const ms = Date.parse(e.time) as Instant.Instant
  return right({
    _tag: 'Known',
    id: e.id,
    time: e.time,
    ...opt('sequence', e.sequence),
    call,
    event: fromData(tag, dr.right, ms),
  })
}

/**
 * Ingests a callback body (parsed JSON): an array of CloudEvents, or a single one. Known types
 * become core events; other types are kept verbatim as `Unknown`. Never throws.
 */
export const decodeBatch = (json: unknown): Either<IngestError, ReadonlyArray<Ingested>> => {
  const items = Array.isArray(json) ? json : [json]
  const out: Array<Ingested> = []
  for (let i = 0; i < items.length; i++) {
    const r = ingestOne(items[i], Array.isArray(json) ? `[${i}]` : '')
    if (isLeft(r)) return r
    out.push(r.right)
  }
  return right(out)
}

/** `decodeBatch` of a raw body string; malformed JSON is an `IngestError`, never an exception. */
export const decodeBatchText = (text: string): Either<IngestError, ReadonlyArray<Ingested>> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return left(ingestError('', 'the body is not JSON'))
  }
  return decodeBatch(json)
}

export type { Ids }
