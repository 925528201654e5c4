import * as t from 'io-ts'
import { CommunicationUserModel, IdentifierModel, PhoneNumberModel } from './Identifiers.js'
import {
  CallIntelligenceOptions,
  CallRejectReason,
  Choice,
  CustomCallingContext,
  DtmfOptions,
  Finite,
  MediaStreamingOptions,
  PlayOptions,
  PlaySource,
  RecognizeInputType,
  SpeechOptions,
  Tone,
  TranscriptionOptions,
} from './Shapes.js'

/**
 * The request bodies of every POST of reference section 2 (#1–#33), one codec per operation,
 * as the SDK 1.6.0 sends them. Required fields follow the stable swagger; everything else is
 * optional, and unknown extra fields are tolerated.
 */

const fields = { operationContext: t.string, operationCallbackUri: t.string }
const callback = t.partial(fields)

/** #1 CreateCall. */
export const createCall = t.intersection(
  [
    t.type({ targets: t.array(IdentifierModel), callbackUri: t.string }),
    t.partial({
      source: CommunicationUserModel,
      sourceCallerIdNumber: PhoneNumberModel,
      sourceDisplayName: t.string,
      operationContext: t.string,
      callIntelligenceOptions: CallIntelligenceOptions,
      mediaStreamingOptions: MediaStreamingOptions,
      transcriptionOptions: TranscriptionOptions,
      teamsAppSource: t.intersection([t.type({ appId: t.string }), t.partial({ cloud: t.string })]),
    }),
  ],
  'CreateCallRequest',
)

/** #2 AnswerCall. */
export const answerCall = t.intersection(
  [
    t.type({ incomingCallContext: t.string, callbackUri: t.string }),
    t.partial({
      operationContext: t.string,
      callIntelligenceOptions: CallIntelligenceOptions,
      answeredBy: CommunicationUserModel,
      mediaStreamingOptions: MediaStreamingOptions,
      transcriptionOptions: TranscriptionOptions,
    }),
  ],
  'AnswerCallRequest',
)

/** #3 RedirectCall. */
export const redirectCall = t.type(
  { incomingCallContext: t.string, target: IdentifierModel },
  'RedirectCallRequest',
)

/** #4 RejectCall. */
export const rejectCall = t.intersection(
  [t.type({ incomingCallContext: t.string }), t.partial({ callRejectReason: CallRejectReason })],
  'RejectCallRequest',
)

export const CallLocator = t.partial(
  {
    kind: t.keyof({ groupCallLocator: null, serverCallLocator: null, roomCallLocator: null }),
    groupCallId: t.string,
    serverCallId: t.string,
    roomId: t.string,
  },
  'CallLocator',
)

/** #5 Connect. */
export const connect = t.intersection(
  [
    t.type({ callLocator: CallLocator, callbackUri: t.string }),
    t.partial({
      operationContext: t.string,
      callIntelligenceOptions: CallIntelligenceOptions,
      mediaStreamingOptions: MediaStreamingOptions,
      transcriptionOptions: TranscriptionOptions,
    }),
  ],
  'ConnectRequest',
)

/** #9 TransferToParticipant. */
export const transferToParticipant = t.intersection(
  [
    t.type({ targetParticipant: IdentifierModel }),
    callback,
    t.partial({
      transferee: IdentifierModel,
      customCallingContext: CustomCallingContext,
      sourceCallerIdNumber: PhoneNumberModel,
    }),
  ],
  'TransferToParticipantRequest',
)

/** #11 AddParticipant. */
export const addParticipant = t.intersection(
  [
    t.type({ participantToAdd: IdentifierModel }),
    callback,
    t.partial({
      sourceCallerIdNumber: PhoneNumberModel,
      sourceDisplayName: t.string,
      invitationTimeoutInSeconds: Finite,
      customCallingContext: CustomCallingContext,
    }),
  ],
  'AddParticipantRequest',
)

/** #12 RemoveParticipant. */
export const removeParticipant = t.intersection(
  [t.type({ participantToRemove: IdentifierModel }), callback],
  'RemoveParticipantRequest',
)

/** #13 Mute. */
export const muteParticipant = t.intersection(
  [
    t.type({ targetParticipants: t.array(IdentifierModel) }),
    t.partial({ operationContext: t.string }),
  ],
  'MuteParticipantsRequest',
)

/** #14 CancelAddParticipant. */
export const cancelAddParticipant = t.intersection(
  [t.type({ invitationId: t.string }), callback],
  'CancelAddParticipantRequest',
)

/** #15 MoveParticipants (preview). */
export const moveParticipants = t.intersection(
  [t.type({ targetParticipants: t.array(IdentifierModel), fromCall: t.string }), callback],
  'MoveParticipantsRequest',
)

/** #17 Play. */
export const play = t.intersection(
  [
    t.type({ playSources: t.array(PlaySource) }),
    callback,
    t.partial({
      playTo: t.array(IdentifierModel),
      interruptCallMediaOperation: t.boolean,
      playOptions: PlayOptions,
    }),
  ],
  'PlayRequest',
)
export type Play = t.TypeOf<typeof play>

export const RecognizeOptions = t.intersection(
  [
    t.type({ targetParticipant: IdentifierModel }),
    t.partial({
      interruptPrompt: t.boolean,
      initialSilenceTimeoutInSeconds: Finite,
      speechLanguage: t.string,
      speechRecognitionModelEndpointId: t.string,
      dtmfOptions: DtmfOptions,
      choices: t.array(Choice),
      speechOptions: SpeechOptions,
    }),
  ],
  'RecognizeOptions',
)

/** #18 Recognize. */
export const recognize = t.intersection(
  [
    t.type({ recognizeInputType: RecognizeInputType, recognizeOptions: RecognizeOptions }),
    callback,
    t.partial({
      playPrompt: PlaySource,
      playPrompts: t.array(PlaySource),
      interruptCallMediaOperation: t.boolean,
    }),
  ],
  'RecognizeRequest',
)
export type Recognize = t.TypeOf<typeof recognize>

/** #19 CancelAllMediaOperations: no body (anything sent is ignored). */
export const cancelAllMediaOperations = t.unknown

const targeted = (name: string) =>
  t.intersection([t.type({ targetParticipant: IdentifierModel }), callback], name)

/** #20 StartContinuousDtmfRecognition. */
export const startContinuousDtmfRecognition = targeted('ContinuousDtmfRecognitionRequest')
/** #21 StopContinuousDtmfRecognition. */
export const stopContinuousDtmfRecognition = startContinuousDtmfRecognition

/** #22 SendDtmfTones. */
export const sendDtmfTones = t.intersection(
  [t.type({ tones: t.array(Tone), targetParticipant: IdentifierModel }), callback],
  'SendDtmfTonesRequest',
)

/** #23 Hold. */
export const hold = t.intersection(
  [
    t.type({ targetParticipant: IdentifierModel }),
    callback,
    t.partial({ playSourceInfo: PlaySource }),
  ],
  'HoldRequest',
)

/** #24 Unhold. */
export const unhold = targeted('UnholdRequest')

const transcriptionChange = (name: string) =>
  t.intersection([callback, t.partial({ locale: t.string, speechModelEndpointId: t.string })], name)

/** #25 StartTranscription. */
export const startTranscription = transcriptionChange('StartTranscriptionRequest')
/** #26 StopTranscription. */
export const stopTranscription = t.partial(fields, 'StopTranscriptionRequest')
/** #27 UpdateTranscription. */
export const updateTranscription = transcriptionChange('UpdateTranscriptionRequest')
/** #28 StartMediaStreaming. */
export const startMediaStreaming = t.partial(fields, 'StartMediaStreamingRequest')
/** #29 StopMediaStreaming. */
export const stopMediaStreaming = t.partial(fields, 'StopMediaStreamingRequest')

/** #30 StartRecording. */
export const startRecording = t.partial(
  {
    callLocator: CallLocator,
    callConnectionId: t.string,
    recordingStateCallbackUri: t.string,
    recordingContentType: t.keyof({ audio: null, audioVideo: null }),
    recordingChannelType: t.keyof({ mixed: null, unmixed: null }),
    recordingFormatType: t.keyof({ wav: null, mp3: null, mp4: null }),
    audioChannelParticipantOrdering: t.array(IdentifierModel),
    channelAffinity: t.array(
      t.intersection([t.type({ participant: IdentifierModel }), t.partial({ channel: Finite })]),
    ),
    pauseOnStart: t.boolean,
    externalStorage: t.intersection([
      t.type({
        recordingStorageKind: t.keyof({ azureCommunicationServices: null, azureBlobStorage: null }),
      }),
      t.partial({ recordingDestinationContainerUrl: t.string }),
    ]),
  },
  'StartRecordingRequest',
)

/** Every POST body, by operation name. */
export const byOperation = {
  createCall,
  answerCall,
  redirectCall,
  rejectCall,
  connect,
  transferToParticipant,
  addParticipant,
  removeParticipant,
  muteParticipant,
  cancelAddParticipant,
  moveParticipants,
  play,
  recognize,
  cancelAllMediaOperations,
  startContinuousDtmfRecognition,
  stopContinuousDtmfRecognition,
  sendDtmfTones,
  hold,
  unhold,
  startTranscription,
  stopTranscription,
  updateTranscription,
  startMediaStreaming,
  stopMediaStreaming,
  startRecording,
} as const

export type BodyOperation = keyof typeof byOperation
export const bodyOperations = Object.keys(byOperation) as ReadonlyArray<BodyOperation>
