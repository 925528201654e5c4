import type { MediaStreamingConfig, RecognizeInputType, TranscriptionConfig } from './Command.js'
import type {
  CallConnectionId,
  CorrelationId,
  InvitationId,
  OperationId,
  ServerCallId,
} from './Ids.js'
import type { Identifier } from './Identifier.js'
import type { Instant, Millis } from './Instant.js'
import type { Operation } from './Operation.js'
import type { PlaySource } from './PlaySource.js'
import type { ResultInformation } from './ResultInformation.js'
import type { Tone } from './Tone.js'

/**
 * Facts recorded about a call: what is persisted, what state is folded from, and what callbacks are
 * made from. Two families share the union:
 * - callback events, named exactly as the ACS event types (`Microsoft.Communication.<_tag>`);
 * - bookkeeping events, Switchboard's own, which never leave the service.
 * Every event carries `at`, the instant it was recorded (an input to the core, never read from a clock).
 */

export interface Participant {
  readonly identifier: Identifier
  readonly isMuted: boolean
  readonly isOnHold: boolean
}

interface At {
  readonly at: Instant
}

/** The fields common to ACS callback events about an operation. */
interface Outcome extends At {
  readonly operationContext?: string
  readonly resultInformation: ResultInformation
  /** Internal correlation with the operation that produced the event; not sent on the wire. */
  readonly operationId?: OperationId
}

// ---------------------------------------------------------------- bookkeeping events

export interface CallCreated extends At {
  readonly _tag: 'CallCreated'
  readonly direction: 'outbound' | 'inbound'
  readonly callConnectionId: CallConnectionId
  readonly serverCallId: ServerCallId
  readonly correlationId: CorrelationId
  readonly callbackUri: string
  /** The application's own identity in the call. */
  readonly app: Identifier
  /** Outbound: the targets rung. Inbound: the caller. */
  readonly parties: ReadonlyArray<Identifier>
  readonly operationContext?: string
  readonly mediaStreaming?: MediaStreamingConfig
  readonly transcription?: TranscriptionConfig
  readonly sourceCallerIdNumber?: string
  readonly sourceDisplayName?: string
}

export interface InvitationSent extends At {
  readonly _tag: 'InvitationSent'
  readonly invitationId: InvitationId
  readonly participant: Identifier
  readonly deadline: Instant
  readonly operationContext?: string
  readonly callbackUri: string
}

/** A create-call target stopped ringing without joining (declined, busy, no answer). */
export interface InvitationEnded extends At {
  readonly _tag: 'InvitationEnded'
  readonly participant: Identifier
}

/** A play, recognize or SendDtmfTones was accepted; it runs at once or waits in the main queue. */
export interface OperationAccepted extends At {
  readonly _tag: 'OperationAccepted'
  readonly operation: Operation
}

/** A queued operation reached the head of the main lane and started. */
export interface OperationStarted extends At {
  readonly _tag: 'OperationStarted'
  readonly operationId: OperationId
}

export interface RecognizePromptStarted extends At {
  readonly _tag: 'RecognizePromptStarted'
  readonly operationId: OperationId
  readonly durationMs: Millis | null
}

export interface RecognizePromptFinished extends At {
  readonly _tag: 'RecognizePromptFinished'
  readonly operationId: OperationId
}

/** A key press was taken into account (by a recognize or continuous recognition). */
export interface ToneObserved extends At {
  readonly _tag: 'ToneObserved'
  readonly participant: Identifier
  readonly tone: Tone
  readonly pressId: number
}

/** A final speech result was taken into account by a recognize (duplicates are ignored). */
export interface SpeechObserved extends At {
  readonly _tag: 'SpeechObserved'
  readonly participant: Identifier
  readonly speechId: number
}

/** A running recognize collected a tone and waits for the next one. */
export interface RecognizeToneCollected extends At {
  readonly _tag: 'RecognizeToneCollected'
  readonly operationId: OperationId
  readonly tone: Tone
}

export interface ContinuousDtmfRecognitionStarted extends At {
  readonly _tag: 'ContinuousDtmfRecognitionStarted'
  readonly operationId: OperationId
  readonly participant: Identifier
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface HoldStarted extends At {
  readonly _tag: 'HoldStarted'
  readonly participant: Identifier
  readonly playSource?: PlaySource
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface HoldEnded extends At {
  readonly _tag: 'HoldEnded'
  readonly participant: Identifier
}

export interface MediaStreamingRequested extends At {
  readonly _tag: 'MediaStreamingRequested'
  readonly operationId: OperationId
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface TranscriptionRequested extends At {
  readonly _tag: 'TranscriptionRequested'
  readonly operationId: OperationId
  readonly locale: string
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface TransferRequested extends At {
  readonly _tag: 'TransferRequested'
  readonly operationId: OperationId
  readonly target: Identifier
  readonly transferee?: Identifier
  readonly operationContext?: string
  readonly callbackUri: string
}

export type BookkeepingEvent =
  | CallCreated
  | InvitationSent
  | InvitationEnded
  | OperationAccepted
  | OperationStarted
  | RecognizePromptStarted
  | RecognizePromptFinished
  | ToneObserved
  | SpeechObserved
  | RecognizeToneCollected
  | ContinuousDtmfRecognitionStarted
  | HoldStarted
  | HoldEnded
  | MediaStreamingRequested
  | TranscriptionRequested
  | TransferRequested

// ---------------------------------------------------------------- ACS callback events

export interface CallConnected extends Outcome {
  readonly _tag: 'CallConnected'
}
export interface CallDisconnected extends Outcome {
  readonly _tag: 'CallDisconnected'
}
export interface CreateCallFailed extends Outcome {
  readonly _tag: 'CreateCallFailed'
}
export interface AnswerFailed extends Outcome {
  readonly _tag: 'AnswerFailed'
}
export interface CallTransferAccepted extends Outcome {
  readonly _tag: 'CallTransferAccepted'
  readonly transferTarget: Identifier
  readonly transferee?: Identifier
}
export interface CallTransferFailed extends Outcome {
  readonly _tag: 'CallTransferFailed'
}
export interface ParticipantsUpdated extends At {
  readonly _tag: 'ParticipantsUpdated'
  readonly participants: ReadonlyArray<Participant>
  readonly sequenceNumber: number
  readonly resultInformation?: ResultInformation
}
export interface AddParticipantSucceeded extends Outcome {
  readonly _tag: 'AddParticipantSucceeded'
  readonly participant: Identifier
  readonly invitationId?: InvitationId
}
export interface AddParticipantFailed extends Outcome {
  readonly _tag: 'AddParticipantFailed'
  readonly participant: Identifier
  readonly invitationId?: InvitationId
}
export interface RemoveParticipantSucceeded extends Outcome {
  readonly _tag: 'RemoveParticipantSucceeded'
  readonly participant: Identifier
}
export interface RemoveParticipantFailed extends Outcome {
  readonly _tag: 'RemoveParticipantFailed'
  readonly participant: Identifier
}
export interface CancelAddParticipantSucceeded extends Outcome {
  readonly _tag: 'CancelAddParticipantSucceeded'
  readonly invitationId: InvitationId
}
export interface CancelAddParticipantFailed extends Outcome {
  readonly _tag: 'CancelAddParticipantFailed'
  readonly invitationId: InvitationId
}
export interface PlayStarted extends Outcome {
  readonly _tag: 'PlayStarted'
  /** Length of the audio as reported by the media plane; null for a loop. Not on the wire. */
  readonly durationMs?: Millis | null
}
export interface PlayCompleted extends Outcome {
  readonly _tag: 'PlayCompleted'
}
export interface PlayFailed extends Outcome {
  readonly _tag: 'PlayFailed'
  readonly failedPlaySourceIndex?: number
}
export interface PlayCanceled extends Outcome {
  readonly _tag: 'PlayCanceled'
}
export interface ChoiceResult {
  readonly label: string
  readonly recognizedPhrase?: string
  readonly confidence?: number
}
export interface SpeechResult {
  readonly speech: string
  readonly confidence: number
}
export interface RecognizeCompleted extends Outcome {
  readonly _tag: 'RecognizeCompleted'
  readonly recognitionType: 'dtmf' | 'speech' | 'choices'
  readonly dtmfResult?: { readonly tones: ReadonlyArray<Tone> }
  readonly choiceResult?: ChoiceResult
  readonly speechResult?: SpeechResult
}
export interface RecognizeFailed extends Outcome {
  readonly _tag: 'RecognizeFailed'
  readonly failedPlaySourceIndex?: number
}
export interface RecognizeCanceled extends Outcome {
  readonly _tag: 'RecognizeCanceled'
}
export interface ContinuousDtmfRecognitionToneReceived extends Outcome {
  readonly _tag: 'ContinuousDtmfRecognitionToneReceived'
  readonly sequenceId: number
  readonly tone: Tone
  /** Who pressed it; not in the ACS event data, kept for the projection. */
  readonly participant?: Identifier
}
export interface ContinuousDtmfRecognitionToneFailed extends Outcome {
  readonly _tag: 'ContinuousDtmfRecognitionToneFailed'
}
export interface ContinuousDtmfRecognitionStopped extends Outcome {
  readonly _tag: 'ContinuousDtmfRecognitionStopped'
  /** Whose recognition stopped; not in the ACS event data. Absent when ingested from ACS. */
  readonly participant?: Identifier
}
export interface SendDtmfTonesCompleted extends Outcome {
  readonly _tag: 'SendDtmfTonesCompleted'
}
export interface SendDtmfTonesFailed extends Outcome {
  readonly _tag: 'SendDtmfTonesFailed'
}
export interface HoldFailed extends Outcome {
  readonly _tag: 'HoldFailed'
  readonly participant?: Identifier
}

export type MediaStreamingStatus =
  'mediaStreamingStarted' | 'mediaStreamingFailed' | 'mediaStreamingStopped' | 'unspecifiedError'
export interface MediaStreamingUpdate {
  readonly contentType: string
  readonly mediaStreamingStatus: MediaStreamingStatus
  readonly mediaStreamingStatusDetails: string
}
export interface MediaStreamingStarted extends Outcome {
  readonly _tag: 'MediaStreamingStarted'
  readonly mediaStreamingUpdate: MediaStreamingUpdate
}
export interface MediaStreamingStopped extends Outcome {
  readonly _tag: 'MediaStreamingStopped'
  readonly mediaStreamingUpdate: MediaStreamingUpdate
}
export interface MediaStreamingFailed extends Outcome {
  readonly _tag: 'MediaStreamingFailed'
  readonly mediaStreamingUpdate: MediaStreamingUpdate
}

export type TranscriptionStatus =
  | 'transcriptionStarted'
  | 'transcriptionFailed'
  | 'transcriptionResumed'
  | 'transcriptionUpdated'
  | 'transcriptionStopped'
  | 'unspecifiedError'
export interface TranscriptionUpdate {
  readonly transcriptionStatus: TranscriptionStatus
  readonly transcriptionStatusDetails: string
}
export interface TranscriptionStarted extends Outcome {
  readonly _tag: 'TranscriptionStarted'
  readonly transcriptionUpdate: TranscriptionUpdate
}
export interface TranscriptionStopped extends Outcome {
  readonly _tag: 'TranscriptionStopped'
  readonly transcriptionUpdate: TranscriptionUpdate
}
export interface TranscriptionUpdated extends Outcome {
  readonly _tag: 'TranscriptionUpdated'
  readonly transcriptionUpdate: TranscriptionUpdate
  /** The new locale; not in the ACS event data. */
  readonly locale?: string
}
export interface TranscriptionFailed extends Outcome {
  readonly _tag: 'TranscriptionFailed'
  readonly transcriptionUpdate: TranscriptionUpdate
}

export type CallbackEvent =
  | CallConnected
  | CallDisconnected
  | CreateCallFailed
  | AnswerFailed
  | CallTransferAccepted
  | CallTransferFailed
  | ParticipantsUpdated
  | AddParticipantSucceeded
  | AddParticipantFailed
  | RemoveParticipantSucceeded
  | RemoveParticipantFailed
  | CancelAddParticipantSucceeded
  | CancelAddParticipantFailed
  | PlayStarted
  | PlayCompleted
  | PlayFailed
  | PlayCanceled
  | RecognizeCompleted
  | RecognizeFailed
  | RecognizeCanceled
  | ContinuousDtmfRecognitionToneReceived
  | ContinuousDtmfRecognitionToneFailed
  | ContinuousDtmfRecognitionStopped
  | SendDtmfTonesCompleted
  | SendDtmfTonesFailed
  | HoldFailed
  | MediaStreamingStarted
  | MediaStreamingStopped
  | MediaStreamingFailed
  | TranscriptionStarted
  | TranscriptionStopped
  | TranscriptionUpdated
  | TranscriptionFailed

export type Event = BookkeepingEvent | CallbackEvent

/** The callback event types, which are exactly the ACS event type names the SDK 1.6.0 parser knows. */
export const callbackTags = [
  'CallConnected',
  'CallDisconnected',
  'CreateCallFailed',
  'AnswerFailed',
  'CallTransferAccepted',
  'CallTransferFailed',
  'ParticipantsUpdated',
  'AddParticipantSucceeded',
  'AddParticipantFailed',
  'RemoveParticipantSucceeded',
  'RemoveParticipantFailed',
  'CancelAddParticipantSucceeded',
  'CancelAddParticipantFailed',
  'PlayStarted',
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'ContinuousDtmfRecognitionToneReceived',
  'ContinuousDtmfRecognitionToneFailed',
  'ContinuousDtmfRecognitionStopped',
  'SendDtmfTonesCompleted',
  'SendDtmfTonesFailed',
  'HoldFailed',
  'MediaStreamingStarted',
  'MediaStreamingStopped',
  'MediaStreamingFailed',
  'TranscriptionStarted',
  'TranscriptionStopped',
  'TranscriptionUpdated',
  'TranscriptionFailed',
] as const satisfies ReadonlyArray<CallbackEvent['_tag']>

const callbackTagSet: ReadonlySet<string> = new Set(callbackTags)

export const isCallback = (event: Event): event is CallbackEvent => callbackTagSet.has(event._tag)

/** The terminal events of operations: each accepted play, recognize and SendDtmfTones ends in exactly one. */
export const terminalTags = [
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'SendDtmfTonesCompleted',
  'SendDtmfTonesFailed',
] as const satisfies ReadonlyArray<CallbackEvent['_tag']>

const terminalSet: ReadonlySet<string> = new Set(terminalTags)
export const isTerminal = (event: Event): boolean => terminalSet.has(event._tag)

export type { RecognizeInputType }
