import type { MediaStreamingConfig, TranscriptionConfig } from './Command.js'
import type { CallbackEvent } from './Event.js'
import type {
  CallConnectionId,
  CorrelationId,
  InvitationId,
  OperationId,
  ServerCallId,
} from './Ids.js'
import type { Identifier } from './Identifier.js'
import type { Instant, Millis } from './Instant.js'
import type { PlaySource } from './PlaySource.js'
import type { Tone } from './Tone.js'

/**
 * What the shell must do next. Instructions are written to the outbox in the same transaction as
 * the events that caused them, then carried out: media instructions by the media plane, callbacks
 * by the webhook deliverer, timers by the scheduler.
 */

export interface CallRef {
  readonly callConnectionId: CallConnectionId
  readonly serverCallId: ServerCallId
  readonly correlationId: CorrelationId
}

/** Ring the targets of an outbound call. */
export interface Dial {
  readonly _tag: 'Dial'
  readonly participants: ReadonlyArray<Identifier>
  readonly source: Identifier
  readonly sourceCallerIdNumber?: string
}
/** Connect the application's leg of an answered incoming call. */
export interface ConnectCall {
  readonly _tag: 'ConnectCall'
  readonly caller: Identifier
}
export interface Invite {
  readonly _tag: 'Invite'
  readonly invitationId: InvitationId
  readonly participant: Identifier
  readonly timeoutMs: Millis
}
export interface CancelInvite {
  readonly _tag: 'CancelInvite'
  readonly invitationId: InvitationId
  readonly participant: Identifier
}
export interface RemoveParty {
  readonly _tag: 'RemoveParty'
  readonly participant: Identifier
}
export interface MuteParty {
  readonly _tag: 'MuteParty'
  readonly participant: Identifier
}
export interface TransferCall {
  readonly _tag: 'TransferCall'
  readonly operationId: OperationId
  readonly target: Identifier
  readonly transferee?: Identifier
}
export interface DisconnectCall {
  readonly _tag: 'DisconnectCall'
  readonly forEveryone: boolean
}
/** Play audio; `to` empty means everyone in the call. */
export interface StartPlayback {
  readonly _tag: 'StartPlayback'
  readonly operationId: OperationId
  readonly sources: ReadonlyArray<PlaySource>
  readonly to: ReadonlyArray<Identifier>
  readonly loop: boolean
}
export interface StopPlayback {
  readonly _tag: 'StopPlayback'
  readonly operationId: OperationId
}
export interface SendTones {
  readonly _tag: 'SendTones'
  readonly operationId: OperationId
  readonly target: Identifier
  readonly tones: ReadonlyArray<Tone>
}
export interface CancelTones {
  readonly _tag: 'CancelTones'
  readonly operationId: OperationId
}
export interface StartHoldMusic {
  readonly _tag: 'StartHoldMusic'
  readonly participant: Identifier
  readonly source?: PlaySource
}
export interface StopHoldMusic {
  readonly _tag: 'StopHoldMusic'
  readonly participant: Identifier
}
export interface OpenMediaStream {
  readonly _tag: 'OpenMediaStream'
  readonly operationId: OperationId
  readonly config: MediaStreamingConfig
}
export interface CloseMediaStream {
  readonly _tag: 'CloseMediaStream'
  readonly operationId: OperationId
}
export interface OpenTranscription {
  readonly _tag: 'OpenTranscription'
  readonly operationId: OperationId
  readonly config: TranscriptionConfig
  readonly locale: string
}
export interface ChangeTranscriptionLocale {
  readonly _tag: 'ChangeTranscriptionLocale'
  readonly operationId: OperationId
  readonly locale: string
}
export interface CloseTranscription {
  readonly _tag: 'CloseTranscription'
  readonly operationId: OperationId
}
/** The call's next deadline changed: make sure `expire` runs at `at`. */
export interface ArmTimer {
  readonly _tag: 'ArmTimer'
  readonly at: Instant
}
/** Deliver a callback event to the application. `sequence` rises by one per callback of the call. */
export interface NotifyCallback {
  readonly _tag: 'NotifyCallback'
  readonly callbackUri: string
  readonly sequence: number
  readonly call: CallRef
  readonly event: CallbackEvent
}

export type MediaInstruction =
  | Dial
  | ConnectCall
  | Invite
  | CancelInvite
  | RemoveParty
  | MuteParty
  | TransferCall
  | DisconnectCall
  | StartPlayback
  | StopPlayback
  | SendTones
  | CancelTones
  | StartHoldMusic
  | StopHoldMusic
  | OpenMediaStream
  | CloseMediaStream
  | OpenTranscription
  | ChangeTranscriptionLocale
  | CloseTranscription

export type Instruction = MediaInstruction | ArmTimer | NotifyCallback

export const isMedia = (i: Instruction): i is MediaInstruction =>
  i._tag !== 'ArmTimer' && i._tag !== 'NotifyCallback'
