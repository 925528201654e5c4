import type { Either } from 'fp-ts/lib/Either.js'
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { Command, Identifier, Ids, PlaySource as CorePlaySource } from '@switchboard/core'
import { Ids as CoreIds, Rejection } from '@switchboard/core'
import * as Failure from './Failure.js'
import * as Identifiers from './Identifiers.js'
import * as Requests from './Requests.js'
import type * as Shapes from './Shapes.js'

/**
 * From a request body to a core `Command`. Decoding checks shapes only (types, required fields,
 * tone names); the core's `decide` checks the rules (ranges, counts, targets). Wire units become
 * core units (seconds → milliseconds) and absent fields take the SDK 1.6.0 defaults.
 */

export interface CallIds {
  readonly callConnectionId: Ids.CallConnectionId
  readonly serverCallId: Ids.ServerCallId
  readonly correlationId: Ids.CorrelationId
}

/** What the shell mints or resolves before a command can be built. */
export interface Extras {
  readonly callConnectionId?: Ids.CallConnectionId
  readonly serverCallId?: Ids.ServerCallId
  readonly correlationId?: Ids.CorrelationId
  /** Minted for add-participant. */
  readonly invitationId?: Ids.InvitationId
  /** The application's identity (used when the body names no `source` / `answeredBy`). */
  readonly app?: Identifier.Identifier
  /** The caller of an incoming call, resolved from `incomingCallContext` (answer). */
  readonly caller?: Identifier.Identifier
}

export type Result<C> = Either<Rejection.Rejection, C>

/** SDK 1.6.0 defaults (reference 1.4). */
export const defaults = {
  initialSilenceTimeoutInSeconds: 5,
  interToneTimeoutInSeconds: 2,
  maxTonesToCollect: 1,
  /** Not sent by the SDK when absent; the service's default is not published (UNCONFIRMED). */
  invitationTimeoutInSeconds: 60,
  audioFormat: 'pcm16KMono',
} as const

const seconds = (s: number): number => Math.round(s * 1000)

const decodeWith = <A>(codec: t.Decoder<unknown, A>, json: unknown): Result<A> => {
  const r = codec.decode(json === undefined ? {} : json)
  return isLeft(r) ? left(Failure.toRejection(r.left)) : right(r.right)
}

const opts = (b: {
  readonly operationContext?: string
  readonly operationCallbackUri?: string
}) => ({
  ...(b.operationContext !== undefined ? { operationContext: b.operationContext } : {}),
  ...(b.operationCallbackUri !== undefined ? { operationCallbackUri: b.operationCallbackUri } : {}),
})

const id = Identifiers.toCore

/** A wire play source as a core play source. */
export const playSource = (s: Shapes.PlaySource): CorePlaySource.PlaySource => {
  const cache = s.playSourceCacheId !== undefined ? { cacheId: s.playSourceCacheId } : {}
  switch (s.kind) {
    case 'file':
      return { _tag: 'File', uri: s.file.uri, ...cache }
    case 'text':
      return {
        _tag: 'Text',
        text: s.text.text,
        ...(s.text.voiceName !== undefined ? { voiceName: s.text.voiceName } : {}),
        ...(s.text.sourceLocale !== undefined ? { sourceLocale: s.text.sourceLocale } : {}),
        ...(s.text.voiceKind !== undefined ? { voiceKind: s.text.voiceKind } : {}),
        ...cache,
      }
    case 'ssml':
      return { _tag: 'Ssml', ssmlText: s.ssml.ssmlText, ...cache }
  }
}

export const mediaStreaming = (o: Shapes.MediaStreamingOptions): Command.MediaStreamingConfig => ({
  transportUrl: o.transportUrl ?? '',
  audioChannelType: o.audioChannelType,
  audioFormat: o.audioFormat ?? defaults.audioFormat,
  startMediaStreaming: o.startMediaStreaming === true,
  enableBidirectional: o.enableBidirectional === true,
  enableDtmfTones: o.enableDtmfTones === true,
})

export const transcription = (o: Shapes.TranscriptionOptions): Command.TranscriptionConfig => ({
  transportUrl: o.transportUrl ?? '',
  locale: o.locale,
  startTranscription: o.startTranscription === true,
  enableIntermediateResults: o.enableIntermediateResults === true,
  ...(o.speechModelEndpointId !== undefined
    ? { speechModelEndpointId: o.speechModelEndpointId }
    : {}),
})

const setup = (
  b: {
    readonly callbackUri: string
    readonly operationContext?: string
    readonly mediaStreamingOptions?: Shapes.MediaStreamingOptions
    readonly transcriptionOptions?: Shapes.TranscriptionOptions
  },
  ids: CallIds,
) => ({
  callConnectionId: ids.callConnectionId,
  serverCallId: ids.serverCallId,
  correlationId: ids.correlationId,
  callbackUri: b.callbackUri,
  ...(b.operationContext !== undefined ? { operationContext: b.operationContext } : {}),
  ...(b.mediaStreamingOptions !== undefined
    ? { mediaStreaming: mediaStreaming(b.mediaStreamingOptions) }
    : {}),
  ...(b.transcriptionOptions !== undefined
    ? { transcription: transcription(b.transcriptionOptions) }
    : {}),
})

// ------------------------------------------------------------------ per operation

export const createCall = (
  json: unknown,
  extras: CallIds & { readonly app: Identifier.Identifier },
): Result<Command.CreateCall> => {
  const r = decodeWith(Requests.createCall, json)
  if (isLeft(r)) return r
  const b = r.right
  return right({
    _tag: 'CreateCall',
    ...setup(b, extras),
    source: b.source !== undefined ? Identifiers.userToCore(b.source) : extras.app,
    targets: b.targets.map(id),
    ...(b.sourceCallerIdNumber !== undefined
      ? { sourceCallerIdNumber: b.sourceCallerIdNumber.value }
      : {}),
    ...(b.sourceDisplayName !== undefined ? { sourceDisplayName: b.sourceDisplayName } : {}),
  })
}

export const answerCall = (
  json: unknown,
  extras: CallIds & { readonly app: Identifier.Identifier; readonly caller: Identifier.Identifier },
): Result<Command.AnswerCall> => {
  const r = decodeWith(Requests.answerCall, json)
  if (isLeft(r)) return r
  const b = r.right
  return right({
    _tag: 'AnswerCall',
    ...setup(b, extras),
    caller: extras.caller,
    answeredBy: b.answeredBy !== undefined ? Identifiers.userToCore(b.answeredBy) : extras.app,
  })
}

/** `DELETE /calling/callConnections/{id}` (no body). */
export const hangUp = (): Result<Command.HangUp> => right({ _tag: 'HangUp', forEveryone: false })
/** `POST ...:terminate` (no body). */
export const terminate = (): Result<Command.HangUp> => right({ _tag: 'HangUp', forEveryone: true })

export const transferToParticipant = (json: unknown): Result<Command.TransferToParticipant> => {
  const r = decodeWith(Requests.transferToParticipant, json)
  if (isLeft(r)) return r
  const b = r.right
  return right({
    _tag: 'TransferToParticipant',
    target: id(b.targetParticipant),
    ...(b.transferee !== undefined ? { transferee: id(b.transferee) } : {}),
    ...opts(b),
  })
}

export const addParticipant = (
  json: unknown,
  extras: { readonly invitationId: Ids.InvitationId },
): Result<Command.AddParticipant> => {
  const r = decodeWith(Requests.addParticipant, json)
  if (isLeft(r)) return r
  const b = r.right
  return right({
    _tag: 'AddParticipant',
    participant: id(b.participantToAdd),
    invitationId: extras.invitationId,
    invitationTimeoutMs: seconds(
      b.invitationTimeoutInSeconds ?? defaults.invitationTimeoutInSeconds,
    ),
    ...opts(b),
  })
}

export const removeParticipant = (json: unknown): Result<Command.RemoveParticipant> => {
  const r = decodeWith(Requests.removeParticipant, json)
  if (isLeft(r)) return r
  return right({
    _tag: 'RemoveParticipant',
    participant: id(r.right.participantToRemove),
    ...opts(r.right),
  })
}

export const muteParticipant = (json: unknown): Result<Command.MuteParticipant> => {
  const r = decodeWith(Requests.muteParticipant, json)
  if (isLeft(r)) return r
  const [first, ...rest] = r.right.targetParticipants
  if (first === undefined || rest.length > 0)
    return left(
      Rejection.make(
        'invalidArgument',
        'Invalid request: targetParticipants must name exactly one participant.',
      ),
    )
  return right({ _tag: 'MuteParticipant', participant: id(first), ...opts(r.right) })
}

export const cancelAddParticipant = (json: unknown): Result<Command.CancelAddParticipant> => {
  const r = decodeWith(Requests.cancelAddParticipant, json)
  if (isLeft(r)) return r
  const invitationId = CoreIds.invitationId(r.right.invitationId)
  if (invitationId === null)
    return left(
      Rejection.make(
        'invalidArgument',
        'Invalid request: invitationId must be 1 to 256 characters.',
      ),
    )
  return right({ _tag: 'CancelAddParticipant', invitationId, ...opts(r.right) })
}

export const play = (json: unknown): Result<Command.PlayToAll | Command.PlayTo> => {
  const r = decodeWith(Requests.play, json)
  if (isLeft(r)) return r
  const b = r.right
  const fields = {
    sources: b.playSources.map(playSource),
    loop: b.playOptions?.loop === true,
    interrupt: b.interruptCallMediaOperation === true,
    ...opts(b),
  }
  const targets = b.playTo ?? []
  return right(
    targets.length === 0
      ? { _tag: 'PlayToAll', ...fields }
      : { _tag: 'PlayTo', targets: targets.map(id), ...fields },
  )
}

export const recognize = (json: unknown): Result<Command.Recognize> => {
  const r = decodeWith(Requests.recognize, json)
  if (isLeft(r)) return r
  const b = r.right
  const o = b.recognizeOptions
  const prompts =
    b.playPrompts !== undefined && b.playPrompts.length > 0
      ? b.playPrompts
      : b.playPrompt !== undefined
        ? [b.playPrompt]
        : []
  const d = o.dtmfOptions
  return right({
    _tag: 'Recognize',
    inputType: b.recognizeInputType,
    target: id(o.targetParticipant),
    prompts: prompts.map(playSource),
    interruptPrompt: o.interruptPrompt === true,
    initialSilenceTimeoutMs: seconds(
      o.initialSilenceTimeoutInSeconds ?? defaults.initialSilenceTimeoutInSeconds,
    ),
    ...(d !== undefined
      ? {
          dtmf: {
            interToneTimeoutMs: seconds(
              d.interToneTimeoutInSeconds ?? defaults.interToneTimeoutInSeconds,
            ),
            maxTonesToCollect: d.maxTonesToCollect ?? defaults.maxTonesToCollect,
            stopTones: d.stopTones ?? [],
          },
        }
      : {}),
    ...(o.choices !== undefined
      ? {
          choices: o.choices.map((c) => ({
            label: c.label,
            phrases: c.phrases,
            ...(c.tone !== undefined ? { tone: c.tone } : {}),
          })),
        }
      : {}),
    ...(o.speechOptions?.endSilenceTimeoutInMs !== undefined
      ? { endSilenceTimeoutMs: o.speechOptions.endSilenceTimeoutInMs }
      : {}),
    ...(o.speechLanguage !== undefined ? { speechLanguage: o.speechLanguage } : {}),
    interrupt: b.interruptCallMediaOperation === true,
    ...opts(b),
  })
}

export const cancelAllMediaOperations = (): Result<Command.CancelAllMediaOperations> =>
  right({ _tag: 'CancelAllMediaOperations' })

export const startContinuousDtmfRecognition = (
  json: unknown,
): Result<Command.StartContinuousDtmfRecognition> => {
  const r = decodeWith(Requests.startContinuousDtmfRecognition, json)
  if (isLeft(r)) return r
  return right({
    _tag: 'StartContinuousDtmfRecognition',
    target: id(r.right.targetParticipant),
    ...opts(r.right),
  })
}

export const stopContinuousDtmfRecognition = (
  json: unknown,
): Result<Command.StopContinuousDtmfRecognition> => {
  const r = decodeWith(Requests.stopContinuousDtmfRecognition, json)
  if (isLeft(r)) return r
  return right({
    _tag: 'StopContinuousDtmfRecognition',
    target: id(r.right.targetParticipant),
    ...opts(r.right),
  })
}

export const sendDtmfTones = (json: unknown): Result<Command.SendDtmfTones> => {
  const r = decodeWith(Requests.sendDtmfTones, json)
  if (isLeft(r)) return r
  return right({
    _tag: 'SendDtmfTones',
    target: id(r.right.targetParticipant),
    tones: r.right.tones,
    ...opts(r.right),
  })
}

export const hold = (json: unknown): Result<Command.Hold> => {
  const r = decodeWith(Requests.hold, json)
  if (isLeft(r)) return r
  const b = r.right
  return right({
    _tag: 'Hold',
    target: id(b.targetParticipant),
    ...(b.playSourceInfo !== undefined ? { playSource: playSource(b.playSourceInfo) } : {}),
    ...opts(b),
  })
}

export const unhold = (json: unknown): Result<Command.Unhold> => {
  const r = decodeWith(Requests.unhold, json)
  if (isLeft(r)) return r
  return right({ _tag: 'Unhold', target: id(r.right.targetParticipant), ...opts(r.right) })
}

const locale = (b: { readonly locale?: string; readonly speechModelEndpointId?: string }) => ({
  ...(b.locale !== undefined ? { locale: b.locale } : {}),
  ...(b.speechModelEndpointId !== undefined
    ? { speechModelEndpointId: b.speechModelEndpointId }
    : {}),
})

export const startTranscription = (json: unknown): Result<Command.StartTranscription> => {
  const r = decodeWith(Requests.startTranscription, json)
  if (isLeft(r)) return r
  return right({ _tag: 'StartTranscription', ...locale(r.right), ...opts(r.right) })
}
export const updateTranscription = (json: unknown): Result<Command.UpdateTranscription> => {
  const r = decodeWith(Requests.updateTranscription, json)
  if (isLeft(r)) return r
  return right({ _tag: 'UpdateTranscription', ...locale(r.right), ...opts(r.right) })
}
export const stopTranscription = (json: unknown): Result<Command.StopTranscription> => {
  const r = decodeWith(Requests.stopTranscription, json)
  if (isLeft(r)) return r
  return right({ _tag: 'StopTranscription', ...opts(r.right) })
}
export const startMediaStreaming = (json: unknown): Result<Command.StartMediaStreaming> => {
  const r = decodeWith(Requests.startMediaStreaming, json)
  if (isLeft(r)) return r
  return right({ _tag: 'StartMediaStreaming', ...opts(r.right) })
}
export const stopMediaStreaming = (json: unknown): Result<Command.StopMediaStreaming> => {
  const r = decodeWith(Requests.stopMediaStreaming, json)
  if (isLeft(r)) return r
  return right({ _tag: 'StopMediaStreaming', ...opts(r.right) })
}

// ------------------------------------------------------------------ generic entry

/** The operations that become core commands. */
export const operations = [
  'createCall',
  'answerCall',
  'hangUp',
  'terminate',
  'transferToParticipant',
  'addParticipant',
  'removeParticipant',
  'muteParticipant',
  'cancelAddParticipant',
  'play',
  'recognize',
  'cancelAllMediaOperations',
  'startContinuousDtmfRecognition',
  'stopContinuousDtmfRecognition',
  'sendDtmfTones',
  'hold',
  'unhold',
  'startTranscription',
  'stopTranscription',
  'updateTranscription',
  'startMediaStreaming',
  'stopMediaStreaming',
] as const

export type OperationName = (typeof operations)[number]

const missing = (what: string): Result<never> =>
  left(Rejection.make('invalidArgument', `Invalid request: ${what} could not be resolved.`))

const callIds = (e: Extras): CallIds | null =>
  e.callConnectionId !== undefined && e.serverCallId !== undefined && e.correlationId !== undefined
    ? {
        callConnectionId: e.callConnectionId,
        serverCallId: e.serverCallId,
        correlationId: e.correlationId,
      }
    : null

/**
 * Decodes the body of `operation` into a core command. `extras` carries what the shell mints:
 * call ids and `app` for createCall, plus `caller` for answerCall, `invitationId` for
 * addParticipant. A missing extra is refused (400 / 8523) rather than thrown.
 */
export const decode = (
  operation: OperationName,
  json: unknown,
  extras: Extras = {},
): Result<Command.Command> => {
  switch (operation) {
    case 'createCall': {
      const ids = callIds(extras)
      if (ids === null || extras.app === undefined) return missing('the call identity')
      return createCall(json, { ...ids, app: extras.app })
    }
    case 'answerCall': {
      const ids = callIds(extras)
      if (ids === null || extras.app === undefined) return missing('the call identity')
      if (extras.caller === undefined) return missing('incomingCallContext')
      return answerCall(json, { ...ids, app: extras.app, caller: extras.caller })
    }
    case 'hangUp':
      return hangUp()
    case 'terminate':
      return terminate()
    case 'transferToParticipant':
      return transferToParticipant(json)
    case 'addParticipant':
      if (extras.invitationId === undefined) return missing('the invitation id')
      return addParticipant(json, { invitationId: extras.invitationId })
    case 'removeParticipant':
      return removeParticipant(json)
    case 'muteParticipant':
      return muteParticipant(json)
    case 'cancelAddParticipant':
      return cancelAddParticipant(json)
    case 'play':
      return play(json)
    case 'recognize':
      return recognize(json)
    case 'cancelAllMediaOperations':
      return cancelAllMediaOperations()
    case 'startContinuousDtmfRecognition':
      return startContinuousDtmfRecognition(json)
    case 'stopContinuousDtmfRecognition':
      return stopContinuousDtmfRecognition(json)
    case 'sendDtmfTones':
      return sendDtmfTones(json)
    case 'hold':
      return hold(json)
    case 'unhold':
      return unhold(json)
    case 'startTranscription':
      return startTranscription(json)
    case 'stopTranscription':
      return stopTranscription(json)
    case 'updateTranscription':
      return updateTranscription(json)
    case 'startMediaStreaming':
      return startMediaStreaming(json)
    case 'stopMediaStreaming':
      return stopMediaStreaming(json)
  }
}

/** Decodes any POST body of section 2 (also those with no core command: redirect, reject, connect, recordings...). */
export const decodeBody = <K extends Requests.BodyOperation>(
  operation: K,
  json: unknown,
): Result<t.TypeOf<(typeof Requests.byOperation)[K]>> =>
  decodeWith(
    Requests.byOperation[operation] as t.Decoder<
      unknown,
      t.TypeOf<(typeof Requests.byOperation)[K]>
    >,
    json,
  )

/**
 * `decode` of a raw body string, as the HTTP layer receives it: an empty body is no body, and
 * text that is not JSON is refused (400 / 8523), never thrown.
 */
export const decodeText = (
  operation: OperationName,
  text: string,
  extras: Extras = {},
): Result<Command.Command> => {
  if (text.trim().length === 0) return decode(operation, undefined, extras)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return left(Rejection.make('invalidArgument', 'Invalid request: the body is not valid JSON.'))
  }
  return decode(operation, json, extras)
}
