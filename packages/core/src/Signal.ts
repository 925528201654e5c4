import type { Identifier } from './Identifier.js'
import type { OperationId } from './Ids.js'
import type { Millis } from './Instant.js'
import type { Tone } from './Tone.js'

/**
 * Facts reported by the media plane (the simulated telephony world, or any real one). Signals may
 * arrive late, twice or out of order: `observe` treats a signal that no longer applies as a no-op.
 */

export type DeclineReason = 'declined' | 'busy' | 'noAnswer' | 'unavailable'

/** A party invited by create-call or add-participant picked up. */
export interface PartyAnswered {
  readonly _tag: 'PartyAnswered'
  readonly participant: Identifier
}
/** A party invited by create-call or add-participant did not join. */
export interface PartyDeclined {
  readonly _tag: 'PartyDeclined'
  readonly participant: Identifier
  readonly reason: DeclineReason
}
/** A party in the call hung up. */
export interface PartyHungUp {
  readonly _tag: 'PartyHungUp'
  readonly participant: Identifier
}
/** The application's leg of an answered incoming call is connected. */
export interface CallEstablished {
  readonly _tag: 'CallEstablished'
}
export interface TransferAccepted {
  readonly _tag: 'TransferAccepted'
  readonly operationId: OperationId
}
export interface TransferFailed {
  readonly _tag: 'TransferFailed'
  readonly operationId: OperationId
}

/** Audio of a play (or of a recognize prompt) started; `durationMs` null for a loop. */
export interface PlaybackStarted {
  readonly _tag: 'PlaybackStarted'
  readonly operationId: OperationId
  readonly durationMs: Millis | null
}
export interface PlaybackFinished {
  readonly _tag: 'PlaybackFinished'
  readonly operationId: OperationId
}
export type PlaybackFailure = 'fileDownload' | 'fileFormat' | 'speechService' | 'unknown'
export interface PlaybackFailed {
  readonly _tag: 'PlaybackFailed'
  readonly operationId: OperationId
  readonly reason: PlaybackFailure
  readonly sourceIndex: number
}

export interface TonesSent {
  readonly _tag: 'TonesSent'
  readonly operationId: OperationId
}
export interface TonesFailed {
  readonly _tag: 'TonesFailed'
  readonly operationId: OperationId
}

/**
 * A party pressed a key. `pressId` rises by one per press of that party, so a press seen twice
 * (same or lower id) is a duplicate.
 */
export interface TonePressed {
  readonly _tag: 'TonePressed'
  readonly participant: Identifier
  readonly tone: Tone
  readonly pressId: number
}

/** A party said something (the recognizer's final result). `speechId` rises like `pressId`. */
export interface SpeechRecognized {
  readonly _tag: 'SpeechRecognized'
  readonly participant: Identifier
  readonly text: string
  readonly confidence: number
  readonly speechId: number
}

export interface HoldMusicFailed {
  readonly _tag: 'HoldMusicFailed'
  readonly participant: Identifier
  readonly reason: PlaybackFailure
}

export interface MediaStreamConnected {
  readonly _tag: 'MediaStreamConnected'
  readonly operationId: OperationId
}
export interface MediaStreamFailed {
  readonly _tag: 'MediaStreamFailed'
  readonly operationId: OperationId
  readonly reason: string
}
export interface TranscriptionConnected {
  readonly _tag: 'TranscriptionConnected'
  readonly operationId: OperationId
}
export interface TranscriptionFailed {
  readonly _tag: 'TranscriptionFailed'
  readonly operationId: OperationId
  readonly reason: string
}

export type Signal =
  | PartyAnswered
  | PartyDeclined
  | PartyHungUp
  | CallEstablished
  | TransferAccepted
  | TransferFailed
  | PlaybackStarted
  | PlaybackFinished
  | PlaybackFailed
  | TonesSent
  | TonesFailed
  | TonePressed
  | SpeechRecognized
  | HoldMusicFailed
  | MediaStreamConnected
  | MediaStreamFailed
  | TranscriptionConnected
  | TranscriptionFailed
