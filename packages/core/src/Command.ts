import type { CallConnectionId, CorrelationId, InvitationId, ServerCallId } from './Ids.js'
import type { Identifier } from './Identifier.js'
import type { Millis } from './Instant.js'
import type { PlaySource } from './PlaySource.js'
import type { Tone } from './Tone.js'

/**
 * What a caller asks of a call. Commands are imperative and carry every id they need: the shell
 * mints call ids and invitation ids before it calls `decide`, so `decide` stays deterministic.
 */

/** Options every operation may carry: an opaque context echoed in its events, and a callback override. */
export interface OperationOptions {
  readonly operationContext?: string
  readonly operationCallbackUri?: string
}

export interface MediaStreamingConfig {
  readonly transportUrl: string
  readonly audioChannelType: 'mixed' | 'unmixed'
  readonly audioFormat: 'pcm16KMono' | 'pcm24KMono'
  readonly startMediaStreaming: boolean
  readonly enableBidirectional: boolean
  readonly enableDtmfTones: boolean
}

export interface TranscriptionConfig {
  readonly transportUrl: string
  readonly locale: string
  readonly startTranscription: boolean
  readonly enableIntermediateResults: boolean
  readonly speechModelEndpointId?: string
}

export interface CallSetup {
  readonly callConnectionId: CallConnectionId
  readonly serverCallId: ServerCallId
  readonly correlationId: CorrelationId
  readonly callbackUri: string
  readonly operationContext?: string
  readonly mediaStreaming?: MediaStreamingConfig
  readonly transcription?: TranscriptionConfig
}

/** Place an outbound call from the application (`source`) to `targets`. */
export interface CreateCall extends CallSetup {
  readonly _tag: 'CreateCall'
  readonly source: Identifier
  readonly targets: ReadonlyArray<Identifier>
  readonly sourceCallerIdNumber?: string
  readonly sourceDisplayName?: string
}

/** Answer an incoming call from `caller` (resolved by the shell from the incoming call context). */
export interface AnswerCall extends CallSetup {
  readonly _tag: 'AnswerCall'
  readonly caller: Identifier
  readonly answeredBy: Identifier
}

/** Leave the call (`forEveryone: false`, DELETE) or end it for everyone (`:terminate`). */
export interface HangUp {
  readonly _tag: 'HangUp'
  readonly forEveryone: boolean
}

export interface AddParticipant extends OperationOptions {
  readonly _tag: 'AddParticipant'
  readonly participant: Identifier
  readonly invitationId: InvitationId
  readonly invitationTimeoutMs: Millis
}

export interface RemoveParticipant extends OperationOptions {
  readonly _tag: 'RemoveParticipant'
  readonly participant: Identifier
}

export interface CancelAddParticipant extends OperationOptions {
  readonly _tag: 'CancelAddParticipant'
  readonly invitationId: InvitationId
}

export interface MuteParticipant extends OperationOptions {
  readonly _tag: 'MuteParticipant'
  readonly participant: Identifier
}

export interface TransferToParticipant extends OperationOptions {
  readonly _tag: 'TransferToParticipant'
  readonly target: Identifier
  readonly transferee?: Identifier
}

interface PlayFields extends OperationOptions {
  readonly sources: ReadonlyArray<PlaySource>
  readonly loop: boolean
  /** `interruptCallMediaOperation`: barge into the lane's running and queued operations. */
  readonly interrupt: boolean
}

/** Play to everyone in the call (`playTo` empty on the wire). */
export interface PlayToAll extends PlayFields {
  readonly _tag: 'PlayToAll'
}

/** Play to selected participants only. */
export interface PlayTo extends PlayFields {
  readonly _tag: 'PlayTo'
  readonly targets: ReadonlyArray<Identifier>
}

export type RecognizeInputType = 'dtmf' | 'choices' | 'speech' | 'speechOrDtmf'

export interface DtmfOptions {
  readonly interToneTimeoutMs: Millis
  readonly maxTonesToCollect: number
  readonly stopTones: ReadonlyArray<Tone>
}

export interface Choice {
  readonly label: string
  readonly phrases: ReadonlyArray<string>
  readonly tone?: Tone
}

export interface Recognize extends OperationOptions {
  readonly _tag: 'Recognize'
  readonly inputType: RecognizeInputType
  readonly target: Identifier
  readonly prompts: ReadonlyArray<PlaySource>
  readonly interruptPrompt: boolean
  readonly initialSilenceTimeoutMs: Millis
  readonly dtmf?: DtmfOptions
  readonly choices?: ReadonlyArray<Choice>
  readonly endSilenceTimeoutMs?: Millis
  readonly speechLanguage?: string
  readonly interrupt: boolean
}

export interface SendDtmfTones extends OperationOptions {
  readonly _tag: 'SendDtmfTones'
  readonly target: Identifier
  readonly tones: ReadonlyArray<Tone>
}

export interface StartContinuousDtmfRecognition extends OperationOptions {
  readonly _tag: 'StartContinuousDtmfRecognition'
  readonly target: Identifier
}

export interface StopContinuousDtmfRecognition extends OperationOptions {
  readonly _tag: 'StopContinuousDtmfRecognition'
  readonly target: Identifier
}

export interface Hold extends OperationOptions {
  readonly _tag: 'Hold'
  readonly target: Identifier
  /** Music on hold; none means the held party hears silence. */
  readonly playSource?: PlaySource
}

export interface Unhold extends OperationOptions {
  readonly _tag: 'Unhold'
  readonly target: Identifier
}

export interface CancelAllMediaOperations {
  readonly _tag: 'CancelAllMediaOperations'
}

export interface StartMediaStreaming extends OperationOptions {
  readonly _tag: 'StartMediaStreaming'
}
export interface StopMediaStreaming extends OperationOptions {
  readonly _tag: 'StopMediaStreaming'
}
export interface StartTranscription extends OperationOptions {
  readonly _tag: 'StartTranscription'
  readonly locale?: string
  readonly speechModelEndpointId?: string
}
export interface StopTranscription extends OperationOptions {
  readonly _tag: 'StopTranscription'
}
export interface UpdateTranscription extends OperationOptions {
  readonly _tag: 'UpdateTranscription'
  readonly locale?: string
  readonly speechModelEndpointId?: string
}

export type CallCommand =
  | CreateCall
  | AnswerCall
  | HangUp
  | AddParticipant
  | RemoveParticipant
  | CancelAddParticipant
  | MuteParticipant
  | TransferToParticipant

export type MediaCommand =
  | PlayToAll
  | PlayTo
  | Recognize
  | SendDtmfTones
  | StartContinuousDtmfRecognition
  | StopContinuousDtmfRecognition
  | Hold
  | Unhold
  | CancelAllMediaOperations
  | StartMediaStreaming
  | StopMediaStreaming
  | StartTranscription
  | StopTranscription
  | UpdateTranscription

export type Command = CallCommand | MediaCommand

export const mediaTags: ReadonlySet<Command['_tag']> = new Set<MediaCommand['_tag']>([
  'PlayToAll',
  'PlayTo',
  'Recognize',
  'SendDtmfTones',
  'StartContinuousDtmfRecognition',
  'StopContinuousDtmfRecognition',
  'Hold',
  'Unhold',
  'CancelAllMediaOperations',
  'StartMediaStreaming',
  'StopMediaStreaming',
  'StartTranscription',
  'StopTranscription',
  'UpdateTranscription',
])

export const isMedia = (command: Command): command is MediaCommand => mediaTags.has(command._tag)
