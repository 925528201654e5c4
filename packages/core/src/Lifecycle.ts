import { attach } from './OperationContext.js'
import type { Draft } from './Decision.js'
import type { Participant, PlayFailed, RecognizeFailed } from './Event.js'
import * as Ids from './Ids.js'
import * as Identifier from './Identifier.js'
import type { Instant } from './Instant.js'
import type { Operation } from './Operation.js'
import * as Result from './ResultInformation.js'
import type { ResultInformation } from './ResultInformation.js'
import type { Tone } from './Tone.js'
import * as State from './State.js'

/**
 * The procedures `decide`, `observe` and `expire` share: starting, ending and canceling
 * operations, participants leaving, the call ending. Each works on a `Draft`, emitting events
 * (folded at once) and instructions.
 */

const raw = Identifier.rawId

/** The instructions that make a running operation's media happen. */
export const startMedia = (d: Draft, op: Operation): void => {
  switch (op.spec._tag) {
    case 'Play':
      d.instruct({
        _tag: 'StartPlayback',
        operationId: op.id,
        sources: op.spec.sources,
        to: op.spec.targets,
        loop: op.spec.loop,
      })
      return
    case 'Recognize':
      if (op.spec.prompts.length > 0)
        d.instruct({
          _tag: 'StartPlayback',
          operationId: op.id,
          sources: op.spec.prompts,
          // a group recognize prompts its target only; a 1:1 recognize prompts the call
          to: op.kind === 'RecognizeGroup' ? [op.spec.target] : [],
          loop: false,
        })
      return
    case 'Dtmf':
      d.instruct({
        _tag: 'SendTones',
        operationId: op.id,
        target: op.spec.target,
        tones: op.spec.tones,
      })
      return
  }
}

/** Starts the head of the main lane if it is waiting. */
export const advanceMain = (d: Draft, at: Instant): void => {
  const head = d.state.main[0]
  if (head === undefined || head.phase !== 'queued') return
  d.emit({ _tag: 'OperationStarted', at, operationId: head.id })
  const started = d.state.main[0]
  if (started !== undefined) startMedia(d, started)
}

/** Ends an operation with a terminal event and stops its media if it had started. */
export const finish = (
  d: Draft,
  op: Operation,
  at: Instant,
  outcome: 'completed' | 'failed' | 'canceled',
  result: ResultInformation,
  failedPlaySourceIndex?: number,
): void => {
  const resultInformation = result
  const operationId = op.id
  const context = op.operationContext
  const index = failedPlaySourceIndex
  switch (op.spec._tag) {
    case 'Play':
      if (outcome === 'completed')
        d.emit(
          attach({ _tag: 'PlayCompleted', at, resultInformation, operationId }, context),
          op.callbackUri,
        )
      else if (outcome === 'failed') {
        const e: { -readonly [K in keyof PlayFailed]: PlayFailed[K] } = attach(
          { _tag: 'PlayFailed', at, resultInformation, operationId },
          context,
        )
        if (index !== undefined) e.failedPlaySourceIndex = index
        d.emit(e, op.callbackUri)
      } else
        d.emit(
          attach({ _tag: 'PlayCanceled', at, resultInformation, operationId }, context),
          op.callbackUri,
        )
      break
    case 'Recognize':
      // completion of a recognize carries results: see `complete`
      if (outcome === 'canceled')
        d.emit(
          attach({ _tag: 'RecognizeCanceled', at, resultInformation, operationId }, context),
          op.callbackUri,
        )
      else {
        const e: { -readonly [K in keyof RecognizeFailed]: RecognizeFailed[K] } = attach(
          { _tag: 'RecognizeFailed', at, resultInformation, operationId },
          context,
        )
        if (index !== undefined) e.failedPlaySourceIndex = index
        d.emit(e, op.callbackUri)
      }
      break
    case 'Dtmf':
      if (outcome === 'completed')
        d.emit(
          attach({ _tag: 'SendDtmfTonesCompleted', at, resultInformation, operationId }, context),
          op.callbackUri,
        )
      else
        d.emit(
          attach({ _tag: 'SendDtmfTonesFailed', at, resultInformation, operationId }, context),
          op.callbackUri,
        )
      break
  }
}

/** The instruction that stops an operation's media, if it has any running. */
const stopMedia = (d: Draft, op: Operation): void => {
  if (op.phase === 'queued') return
  if (op.phase === 'sending') d.instruct({ _tag: 'CancelTones', operationId: op.id })
  else if (op.phase === 'starting' || op.phase === 'playing')
    d.instruct({ _tag: 'StopPlayback', operationId: op.id })
}

/** Cancels one operation (8508) and stops its media. Does not advance the main lane. */
export const cancel = (d: Draft, op: Operation, at: Instant, result = Result.canceled): void => {
  stopMedia(d, op)
  finish(d, op, at, 'canceled', result)
}

/** Cancels every operation of a lane (main: running and queued, in order). */
export const cancelLane = (d: Draft, lane: 'main' | 'sub', at: Instant): void => {
  if (lane === 'sub') {
    if (d.state.sub !== null) cancel(d, d.state.sub, at)
    return
  }
  for (const op of d.state.main.slice()) cancel(d, op, at)
}

/** Recognize completion with its result (8531 max digits, 8514 stop tone, 8533/8545 matched...). */
export const complete = (
  d: Draft,
  op: Operation,
  at: Instant,
  result: ResultInformation,
  outcome:
    | { readonly recognitionType: 'dtmf'; readonly tones: ReadonlyArray<Tone> }
    | {
        readonly recognitionType: 'choices'
        readonly label: string
        readonly recognizedPhrase?: string
        readonly confidence?: number
      }
    | { readonly recognitionType: 'speech'; readonly speech: string; readonly confidence: number },
): void => {
  const resultInformation = result
  const operationId = op.id
  const context = op.operationContext
  if (outcome.recognitionType === 'dtmf')
    d.emit(
      attach(
        {
          _tag: 'RecognizeCompleted',
          at,
          resultInformation,
          operationId,
          recognitionType: 'dtmf',
          dtmfResult: { tones: outcome.tones },
        },
        context,
      ),
      op.callbackUri,
    )
  else if (outcome.recognitionType === 'choices') {
    const choiceResult: { label: string; recognizedPhrase?: string; confidence?: number } = {
      label: outcome.label,
    }
    if (outcome.recognizedPhrase !== undefined)
      choiceResult.recognizedPhrase = outcome.recognizedPhrase
    if (outcome.confidence !== undefined) choiceResult.confidence = outcome.confidence
    d.emit(
      attach(
        {
          _tag: 'RecognizeCompleted',
          at,
          resultInformation,
          operationId,
          recognitionType: 'choices',
          choiceResult,
        },
        context,
      ),
      op.callbackUri,
    )
  } else
    d.emit(
      attach(
        {
          _tag: 'RecognizeCompleted',
          at,
          resultInformation,
          operationId,
          recognitionType: 'speech',
          speechResult: { speech: outcome.speech, confidence: outcome.confidence },
        },
        context,
      ),
      op.callbackUri,
    )
}

/** After an operation of the main lane ended, the next one starts. */
export const afterTerminal = (d: Draft, op: Operation, at: Instant): void => {
  if (op.kind === 'PlayToAll' || op.kind === 'RecognizeNonGroup') advanceMain(d, at)
}

export const updateParticipants = (
  d: Draft,
  at: Instant,
  participants: ReadonlyArray<Participant>,
): void => {
  d.emit({
    _tag: 'ParticipantsUpdated',
    at,
    participants,
    sequenceNumber: d.state.participantsSequence + 1,
  })
}

/** Streaming or transcription configured with start-on-connect begin when the call connects. */
export const onConnected = (d: Draft, at: Instant): void => {
  const call = d.state.call
  if (call === null) return
  if (call.mediaStreaming?.startMediaStreaming === true && d.state.streaming._tag === 'Off')
    requestStreaming(d, at, {})
  if (call.transcription?.startTranscription === true && d.state.transcription._tag === 'Off')
    requestTranscription(d, at, {}, call.transcription.locale)
}

interface Options {
  readonly operationContext?: string
  readonly operationCallbackUri?: string
}

const callbackOf = (d: Draft, options: Options): string =>
  options.operationCallbackUri ?? d.state.call?.callbackUri ?? ''

export const requestStreaming = (d: Draft, at: Instant, options: Options): void => {
  const config = d.state.call?.mediaStreaming
  if (config === undefined) return
  const operationId = Ids.operationId(d.state.nextOperation)
  d.emit(
    attach(
      {
        _tag: 'MediaStreamingRequested',
        at,
        operationId,
        callbackUri: callbackOf(d, options),
      },
      options.operationContext,
    ),
  )
  d.instruct({ _tag: 'OpenMediaStream', operationId, config })
}

export const requestTranscription = (
  d: Draft,
  at: Instant,
  options: Options,
  locale: string,
): void => {
  const config = d.state.call?.transcription
  if (config === undefined) return
  const operationId = Ids.operationId(d.state.nextOperation)
  d.emit(
    attach(
      {
        _tag: 'TranscriptionRequested',
        at,
        operationId,
        locale,
        callbackUri: callbackOf(d, options),
      },
      options.operationContext,
    ),
  )
  d.instruct({ _tag: 'OpenTranscription', operationId, config, locale })
}

export const streamingUpdate = (
  status: 'mediaStreamingStarted' | 'mediaStreamingStopped' | 'mediaStreamingFailed',
  details: string,
) => ({ contentType: 'Audio', mediaStreamingStatus: status, mediaStreamingStatusDetails: details })

export const transcriptionUpdate = (
  status:
    | 'transcriptionStarted'
    | 'transcriptionStopped'
    | 'transcriptionUpdated'
    | 'transcriptionFailed',
  details: string,
) => ({ transcriptionStatus: status, transcriptionStatusDetails: details })

export const stopStreaming = (d: Draft, at: Instant, options: Options, details: string): void => {
  const s = d.state.streaming
  if (s._tag === 'Off') return
  d.instruct({ _tag: 'CloseMediaStream', operationId: s.id })
  d.emit(
    attach(
      {
        _tag: 'MediaStreamingStopped',
        at,
        operationId: s.id,
        resultInformation: Result.success,
        mediaStreamingUpdate: streamingUpdate('mediaStreamingStopped', details),
      },
      options.operationContext ?? s.operationContext,
    ),
    options.operationCallbackUri ?? s.callbackUri,
  )
}

export const stopTranscription = (d: Draft, at: Instant, options: Options): void => {
  const s = d.state.transcription
  if (s._tag === 'Off') return
  d.instruct({ _tag: 'CloseTranscription', operationId: s.id })
  d.emit(
    attach(
      {
        _tag: 'TranscriptionStopped',
        at,
        operationId: s.id,
        resultInformation: Result.success,
        transcriptionUpdate: transcriptionUpdate('transcriptionStopped', 'subscriptionStopped'),
      },
      options.operationContext ?? s.operationContext,
    ),
    options.operationCallbackUri ?? s.callbackUri,
  )
}

export const stopContinuous = (
  d: Draft,
  at: Instant,
  participant: Identifier.Identifier,
  options: Options,
): void => {
  const c = State.continuousOf(d.state, participant)
  if (c === null) return
  d.emit(
    attach(
      {
        _tag: 'ContinuousDtmfRecognitionStopped',
        at,
        operationId: c.id,
        participant: c.participant,
        resultInformation: Result.success,
      },
      options.operationContext ?? c.operationContext,
    ),
    options.operationCallbackUri ?? c.callbackUri,
  )
}

/** Does the operation address this participant (its target, or one of a PlayTo's targets)? */
const addresses = (op: Operation, r: Identifier.RawId): boolean => {
  switch (op.spec._tag) {
    case 'Play': {
      const targets = op.spec.targets
      for (let i = 0; i < targets.length; i++) if (raw(targets[i]!) === r) return true
      return false
    }
    case 'Recognize':
    case 'Dtmf':
      return raw(op.spec.target) === r
  }
}

/**
 * A participant left (hung up or was removed): their operations are canceled, their continuous
 * recognition stops, their hold ends, and the participant list is updated. When nobody is left
 * the call ends.
 */
export const partyLeft = (d: Draft, at: Instant, participant: Identifier.Identifier): void => {
  const r = raw(participant)
  if (d.state.sub !== null && addresses(d.state.sub, r)) cancel(d, d.state.sub, at)
  let headCanceled = false
  for (const op of d.state.main.slice()) {
    if (addresses(op, r)) {
      if (op === d.state.main[0]) headCanceled = true
      cancel(d, op, at)
    }
  }
  stopContinuous(d, at, participant, {})
  if (State.holdOf(d.state, participant) !== null)
    d.instruct({ _tag: 'StopHoldMusic', participant })
  const remaining: Array<Participant> = []
  for (const p of d.state.participants) if (raw(p.identifier) !== r) remaining.push(p)
  updateParticipants(d, at, remaining)
  if (
    d.state.participants.length === 0 &&
    d.state.invitations.every((i) => i.purpose !== 'createCall')
  )
    endCall(d, at, true)
  else if (headCanceled) advanceMain(d, at)
}

/**
 * The call ends: every running and queued operation gets its canceled or failed event, continuous
 * recognitions their stopped event, streaming and transcription stop, pending invitations fail,
 * and CallDisconnected closes the log.
 */
export const endCall = (d: Draft, at: Instant, forEveryone: boolean): void => {
  cancelLane(d, 'main', at)
  cancelLane(d, 'sub', at)
  for (const c of d.state.continuous.slice()) stopContinuous(d, at, c.participant, {})
  stopStreaming(d, at, {}, 'subscriptionStopped')
  stopTranscription(d, at, {})
  for (const h of d.state.holds) d.instruct({ _tag: 'StopHoldMusic', participant: h.participant })
  for (const i of d.state.invitations.slice()) {
    if (i.purpose === 'addParticipant' && i.invitationId !== null) {
      d.instruct({ _tag: 'CancelInvite', invitationId: i.invitationId, participant: i.participant })
      d.emit(
        attach(
          {
            _tag: 'AddParticipantFailed',
            at,
            participant: i.participant,
            invitationId: i.invitationId,
            resultInformation: Result.callCanceled,
          },
          i.operationContext,
        ),
        i.callbackUri,
      )
    }
  }
  const transfer = d.state.transfer
  if (transfer !== null)
    d.emit(
      attach(
        {
          _tag: 'CallTransferFailed',
          at,
          operationId: transfer.id,
          resultInformation: Result.callTerminated,
        },
        transfer.operationContext,
      ),
      transfer.callbackUri,
    )
  d.instruct({ _tag: 'DisconnectCall', forEveryone })
  d.emit(
    attach(
      {
        _tag: 'CallDisconnected',
        at,
        resultInformation: Result.callEnded,
      },
      d.state.call?.operationContext,
    ),
  )
}
