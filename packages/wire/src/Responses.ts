import * as t from 'io-ts'
import type { Event, Ids, State } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import { CallParticipant } from './Callbacks.js'
import * as Identifiers from './Identifiers.js'
import { CommunicationUserModel, IdentifierModel, PhoneNumberModel } from './Identifiers.js'
import { CallConnectionState, SubscriptionState } from './Shapes.js'

/**
 * What the service answers on success (reference 1.5): the status code of each operation and its
 * body. The SDK is strict: any 2xx it does not list is turned into an error, so `status` is the
 * single table the HTTP layer uses.
 */

/** The body kind an operation answers with. */
export type BodyKind =
  | 'none'
  | 'callConnectionProperties'
  | 'participants'
  | 'participant'
  | 'addParticipant'
  | 'operationContext'
  | 'cancelAddParticipant'
  | 'moveParticipants'
  | 'recordingState'

/** Success status and body kind of every operation of reference section 2. */
export const table = {
  createCall: { status: 201, body: 'callConnectionProperties' },
  answerCall: { status: 200, body: 'callConnectionProperties' },
  connect: { status: 200, body: 'callConnectionProperties' },
  redirectCall: { status: 204, body: 'none' },
  rejectCall: { status: 204, body: 'none' },
  getCall: { status: 200, body: 'callConnectionProperties' },
  hangUp: { status: 204, body: 'none' },
  terminate: { status: 204, body: 'none' },
  transferToParticipant: { status: 202, body: 'operationContext' },
  getParticipants: { status: 200, body: 'participants' },
  getParticipant: { status: 200, body: 'participant' },
  addParticipant: { status: 202, body: 'addParticipant' },
  removeParticipant: { status: 202, body: 'operationContext' },
  muteParticipant: { status: 200, body: 'operationContext' },
  cancelAddParticipant: { status: 202, body: 'cancelAddParticipant' },
  moveParticipants: { status: 202, body: 'moveParticipants' },
  play: { status: 202, body: 'none' },
  recognize: { status: 202, body: 'none' },
  cancelAllMediaOperations: { status: 202, body: 'none' },
  startContinuousDtmfRecognition: { status: 200, body: 'none' },
  stopContinuousDtmfRecognition: { status: 200, body: 'none' },
  sendDtmfTones: { status: 202, body: 'operationContext' },
  hold: { status: 200, body: 'none' },
  unhold: { status: 200, body: 'none' },
  startTranscription: { status: 202, body: 'none' },
  stopTranscription: { status: 202, body: 'none' },
  updateTranscription: { status: 202, body: 'none' },
  startMediaStreaming: { status: 202, body: 'none' },
  stopMediaStreaming: { status: 202, body: 'none' },
  startRecording: { status: 200, body: 'recordingState' },
  getRecording: { status: 200, body: 'recordingState' },
  stopRecording: { status: 204, body: 'none' },
  pauseRecording: { status: 202, body: 'none' },
  resumeRecording: { status: 202, body: 'none' },
} as const satisfies Record<string, { readonly status: number; readonly body: BodyKind }>

export type Operation = keyof typeof table
export const operations = Object.keys(table) as ReadonlyArray<Operation>

/** `status[operation]`: the one success status the SDK accepts. */
export const status = Object.fromEntries(operations.map((op) => [op, table[op].status])) as {
  readonly [K in Operation]: (typeof table)[K]['status']
}

// ------------------------------------------------------------------ body codecs

export const MediaStreamingSubscription = t.partial(
  { id: t.string, state: SubscriptionState, subscribedContentTypes: t.array(t.string) },
  'MediaStreamingSubscription',
)
export const TranscriptionSubscription = t.partial(
  {
    id: t.string,
    state: SubscriptionState,
    subscribedResultTypes: t.array(t.keyof({ final: null, intermediate: null })),
    locale: t.string,
  },
  'TranscriptionSubscription',
)

export const CallConnectionProperties = t.intersection(
  [
    t.type({
      callConnectionId: t.string,
      callConnectionState: CallConnectionState,
      callbackUri: t.string,
      targets: t.array(IdentifierModel),
    }),
    t.partial({
      serverCallId: t.string,
      correlationId: t.string,
      source: IdentifierModel,
      sourceCallerIdNumber: PhoneNumberModel,
      sourceDisplayName: t.string,
      answeredBy: CommunicationUserModel,
      answeredFor: PhoneNumberModel,
      mediaStreamingSubscription: MediaStreamingSubscription,
      transcriptionSubscription: TranscriptionSubscription,
    }),
  ],
  'CallConnectionProperties',
)
export type CallConnectionProperties = t.TypeOf<typeof CallConnectionProperties>

export const Participants = t.intersection(
  [t.type({ value: t.array(CallParticipant) }), t.partial({ nextLink: t.string })],
  'GetParticipantsResponse',
)
export const AddParticipantResult = t.intersection(
  [
    t.type({ participant: CallParticipant, invitationId: t.string }),
    t.partial({ operationContext: t.string }),
  ],
  'AddParticipantResponse',
)
export const OperationContextResult = t.partial(
  { operationContext: t.string },
  'OperationContextResponse',
)
export const CancelAddParticipantResult = t.intersection(
  [t.type({ invitationId: t.string }), t.partial({ operationContext: t.string })],
  'CancelAddParticipantResponse',
)
export const RecordingState = t.type(
  {
    recordingId: t.string,
    recordingState: t.keyof({ active: null, inactive: null }),
    recordingKind: t.keyof({
      azureCommunicationServices: null,
      teams: null,
      teamsCompliance: null,
    }),
  },
  'RecordingStateResponse',
)

// ------------------------------------------------------------------ builders from core

const callState: { readonly [S in State.Status]: t.TypeOf<typeof CallConnectionState> } = {
  none: 'unknown',
  connecting: 'connecting',
  connected: 'connected',
  transferring: 'transferring',
  disconnected: 'disconnected',
}

const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } =>
  (v === undefined ? {} : { [k]: v }) as { [P in K]?: V }

const sessionState = (s: State.Session) =>
  (s._tag === 'Active' ? 'active' : 'inactive') as 'active' | 'inactive'

/** The other parties of the call: those in it, then those still being rung (deduplicated by raw id). */
export const targetsOf = (state: State.State): ReadonlyArray<Identifier.Identifier> => {
  const seen = new Set<string>()
  const out: Array<Identifier.Identifier> = []
  const add = (id: Identifier.Identifier) => {
    const raw = Identifier.rawId(id)
    if (!seen.has(raw)) {
      seen.add(raw)
      out.push(id)
    }
  }
  for (const p of state.participants) add(p.identifier)
  for (const i of state.invitations) if (i.purpose !== 'addParticipant') add(i.participant)
  return out
}

/** `CallConnectionProperties` of a call's state; null when the call does not exist. */
export const callConnectionProperties = (state: State.State): CallConnectionProperties | null => {
  const call = state.call
  if (call === null) return null
  const app = call.app
  return {
    callConnectionId: call.callConnectionId,
    serverCallId: call.serverCallId,
    targets: targetsOf(state).map(Identifiers.fromCore),
    callConnectionState: callState[state.status],
    callbackUri: call.callbackUri,
    ...opt(
      'sourceCallerIdNumber',
      call.sourceCallerIdNumber !== undefined ? { value: call.sourceCallerIdNumber } : undefined,
    ),
    sourceDisplayName: call.sourceDisplayName ?? '',
    ...(call.direction === 'outbound' ? { source: Identifiers.fromCore(app) } : {}),
    correlationId: call.correlationId,
    ...(call.direction === 'inbound' && Identifier.isCommunicationUser(app)
      ? { answeredBy: { id: app.id } }
      : {}),
    mediaStreamingSubscription:
      call.mediaStreaming === undefined
        ? { state: 'disabled', subscribedContentTypes: ['audio'] }
        : {
            ...(state.streaming._tag !== 'Off' ? { id: state.streaming.id } : {}),
            state: sessionState(state.streaming),
            subscribedContentTypes: ['audio'],
          },
    ...(call.transcription !== undefined
      ? {
          transcriptionSubscription: {
            ...(state.transcription._tag !== 'Off' ? { id: state.transcription.id } : {}),
            state: sessionState(state.transcription),
            subscribedResultTypes: call.transcription.enableIntermediateResults
              ? ['final', 'intermediate']
              : ['final'],
            locale: state.transcriptionLocale ?? call.transcription.locale,
          },
        }
      : {}),
  }
}

export const participant = (p: Event.Participant): CallParticipant => ({
  identifier: Identifiers.fromCore(p.identifier),
  isMuted: p.isMuted,
  isOnHold: p.isOnHold,
})

export const participants = (
  list: ReadonlyArray<Event.Participant>,
  nextLink?: string,
): t.TypeOf<typeof Participants> => ({ value: list.map(participant), ...opt('nextLink', nextLink) })

export const addParticipant = (
  p: Identifier.Identifier,
  invitationId: Ids.InvitationId,
  operationContext?: string,
): t.TypeOf<typeof AddParticipantResult> => ({
  participant: { identifier: Identifiers.fromCore(p), isMuted: false, isOnHold: false },
  ...opt('operationContext', operationContext),
  invitationId,
})

export const operationContext = (ctx?: string): t.TypeOf<typeof OperationContextResult> =>
  opt('operationContext', ctx)

export const cancelAddParticipant = (
  invitationId: Ids.InvitationId,
  ctx?: string,
): t.TypeOf<typeof CancelAddParticipantResult> => ({
  invitationId,
  ...opt('operationContext', ctx),
})
