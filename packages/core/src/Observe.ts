import { attach } from './OperationContext.js'
import type { Decision } from './Decision.js'
import { Draft, empty } from './Decision.js'
import * as Identifier from './Identifier.js'
import type { Instant } from './Instant.js'
import * as Lifecycle from './Lifecycle.js'
import type { Operation } from './Operation.js'
import * as Result from './ResultInformation.js'
import type { ResultInformation } from './ResultInformation.js'
import type * as Signal from './Signal.js'
import * as State from './State.js'
import type { Tone } from './Tone.js'

export interface Context {
  readonly now: Instant
}

const raw = Identifier.rawId

const playbackFailure = (reason: Signal.PlaybackFailure): ResultInformation => {
  switch (reason) {
    case 'fileDownload':
      return Result.playFileDownload
    case 'fileFormat':
      return Result.playFileFormat
    case 'speechService':
      return Result.playSpeechService
    case 'unknown':
      return Result.unknownError
  }
}

const declineResult = (reason: Signal.DeclineReason): ResultInformation => {
  switch (reason) {
    case 'declined':
      return Result.calleeDeclined
    case 'busy':
      return Result.calleeBusy
    case 'noAnswer':
      return Result.calleeNoAnswer
    case 'unavailable':
      return Result.calleeUnavailable
  }
}

// ------------------------------------------------------------------ parties

/** The first invitation of this party (same raw id). */
const invitationOf = (
  state: State.State,
  who: Identifier.Identifier,
): State.Invitation | undefined => {
  for (const i of state.invitations) if (Identifier.equals(i.participant, who)) return i
  return undefined
}

const answered = (d: Draft, at: Instant, participant: Identifier.Identifier): void => {
  const invitation = invitationOf(d.state, participant)
  if (invitation === undefined || State.participantOf(d.state, participant) !== null) return
  const joined = [
    ...d.state.participants,
    { identifier: participant, isMuted: false, isOnHold: false },
  ]
  if (invitation.purpose === 'addParticipant') {
    d.emit(
      attach(
        {
          _tag: 'AddParticipantSucceeded',
          at,
          participant,
          resultInformation: Result.success,
          ...(invitation.invitationId !== null ? { invitationId: invitation.invitationId } : {}),
        },
        invitation.operationContext,
      ),
      invitation.callbackUri,
    )
    Lifecycle.updateParticipants(d, at, joined)
    return
  }
  if (invitation.purpose === 'answer') return // the caller joins when the call is established
  const wasConnecting = d.state.status === 'connecting'
  if (wasConnecting)
    d.emit(
      attach(
        {
          _tag: 'CallConnected',
          at,
          resultInformation: Result.success,
        },
        d.state.call?.operationContext,
      ),
    )
  Lifecycle.updateParticipants(d, at, joined)
  if (wasConnecting) Lifecycle.onConnected(d, at)
}

/** An invited party did not join (declined, busy, no answer). */
export const notJoined = (
  d: Draft,
  at: Instant,
  participant: Identifier.Identifier,
  reason: Signal.DeclineReason,
): void => {
  const invitation = invitationOf(d.state, participant)
  if (invitation === undefined) return
  if (invitation.purpose === 'addParticipant') {
    d.emit(
      attach(
        {
          _tag: 'AddParticipantFailed',
          at,
          participant,
          resultInformation: declineResult(reason),
          ...(invitation.invitationId !== null ? { invitationId: invitation.invitationId } : {}),
        },
        invitation.operationContext,
      ),
      invitation.callbackUri,
    )
    return
  }
  if (invitation.purpose === 'answer') {
    // the caller left before the application's leg was established: the answer failed
    d.instruct({ _tag: 'DisconnectCall', forEveryone: true })
    d.emit(
      attach(
        { _tag: 'AnswerFailed', at, resultInformation: Result.callCanceled },
        d.state.call?.operationContext,
      ),
    )
    return
  }
  d.emit({ _tag: 'InvitationEnded', at, participant })
  const nobodyLeft =
    d.state.participants.length === 0 &&
    !d.state.invitations.some((i) => i.purpose === 'createCall')
  if (!nobodyLeft) return
  if (d.state.status === 'connecting') {
    d.instruct({ _tag: 'DisconnectCall', forEveryone: true })
    d.emit(
      attach(
        {
          _tag: 'CreateCallFailed',
          at,
          resultInformation: declineResult(reason),
        },
        d.state.call?.operationContext,
      ),
    )
  } else Lifecycle.endCall(d, at, true)
}

const hungUp = (d: Draft, at: Instant, participant: Identifier.Identifier): void => {
  if (State.participantOf(d.state, participant) !== null) {
    Lifecycle.partyLeft(d, at, participant)
    return
  }
  notJoined(d, at, participant, 'declined')
}

const established = (d: Draft, at: Instant): void => {
  if (d.state.status !== 'connecting' || d.state.call?.direction !== 'inbound') return
  const callers = d.state.invitations
    .filter((i) => i.purpose === 'answer')
    .map((i) => i.participant)
  d.emit(
    attach(
      {
        _tag: 'CallConnected',
        at,
        resultInformation: Result.success,
      },
      d.state.call.operationContext,
    ),
  )
  Lifecycle.updateParticipants(
    d,
    at,
    callers.map((identifier) => ({ identifier, isMuted: false, isOnHold: false })),
  )
  Lifecycle.onConnected(d, at)
}

// ------------------------------------------------------------------ playback

const playbackStarted = (d: Draft, at: Instant, signal: Signal.PlaybackStarted): void => {
  const op = State.findOperation(d.state, signal.operationId)
  if (op === null || op.phase !== 'starting') return
  if (op.spec._tag === 'Play')
    d.emit(
      attach(
        {
          _tag: 'PlayStarted',
          at,
          operationId: op.id,
          durationMs: signal.durationMs,
          resultInformation: Result.success,
        },
        op.operationContext,
      ),
      op.callbackUri,
    )
  else if (op.spec._tag === 'Recognize')
    d.emit({
      _tag: 'RecognizePromptStarted',
      at,
      operationId: op.id,
      durationMs: signal.durationMs,
    })
}

/** The audio of a play or of a recognize prompt ended (reported, or its length elapsed). */
export const playbackEnded = (d: Draft, at: Instant, op: Operation): void => {
  if (op.phase !== 'starting' && op.phase !== 'playing') return
  if (op.spec._tag === 'Play') {
    Lifecycle.finish(d, op, at, 'completed', Result.success)
    Lifecycle.afterTerminal(d, op, at)
  } else if (op.spec._tag === 'Recognize')
    d.emit({ _tag: 'RecognizePromptFinished', at, operationId: op.id })
}

const playbackFailed = (d: Draft, at: Instant, signal: Signal.PlaybackFailed): void => {
  const op = State.findOperation(d.state, signal.operationId)
  if (op === null || (op.phase !== 'starting' && op.phase !== 'playing')) return
  const index =
    Number.isInteger(signal.sourceIndex) && signal.sourceIndex >= 0 ? signal.sourceIndex : 0
  if (op.spec._tag === 'Play')
    Lifecycle.finish(d, op, at, 'failed', playbackFailure(signal.reason), index)
  else if (op.spec._tag === 'Recognize')
    Lifecycle.finish(d, op, at, 'failed', Result.playPromptFailed, index)
  else return
  Lifecycle.afterTerminal(d, op, at)
}

// ------------------------------------------------------------------ tones

const tonesSent = (d: Draft, at: Instant, signal: Signal.TonesSent | Signal.TonesFailed): void => {
  const op = State.findOperation(d.state, signal.operationId)
  if (op === null || op.spec._tag !== 'Dtmf') return
  if (signal._tag === 'TonesSent') Lifecycle.finish(d, op, at, 'completed', Result.success)
  else Lifecycle.finish(d, op, at, 'failed', Result.unknownError)
}

/** The running recognize listening to this participant, if any (main lane head or sub slot). */
const recognizerFor = (state: State.State, who: Identifier.Identifier): Operation | null => {
  const head = state.main[0]
  if (head !== undefined && listensTo(head, who)) return head
  const sub = state.sub
  if (sub !== null && listensTo(sub, who)) return sub
  return null
}

const listensTo = (op: Operation, who: Identifier.Identifier): boolean =>
  op.spec._tag === 'Recognize' && op.phase !== 'queued' && Identifier.equals(op.spec.target, who)

/** A recognize hears input; during its prompt only when the prompt may be interrupted. */
const hears = (d: Draft, at: Instant, op: Operation): boolean => {
  if (op.spec._tag !== 'Recognize') return false
  if (op.phase === 'listening') return true
  if ((op.phase === 'starting' || op.phase === 'playing') && op.spec.interruptPrompt) {
    d.instruct({ _tag: 'StopPlayback', operationId: op.id })
    d.emit({ _tag: 'RecognizePromptFinished', at, operationId: op.id })
    return true
  }
  return false
}

const feedTone = (d: Draft, at: Instant, op: Operation, tone: Tone): void => {
  if (op.spec._tag !== 'Recognize') return
  const spec = op.spec
  if (spec.inputType === 'speech') return
  if (spec.inputType === 'choices') {
    const choice = spec.choices.find((c) => c.tone === tone)
    if (choice !== undefined)
      Lifecycle.complete(d, op, at, Result.dtmfOptionMatched, {
        recognitionType: 'choices',
        label: choice.label,
      })
    else Lifecycle.finish(d, op, at, 'failed', Result.incorrectToneEntered)
    Lifecycle.afterTerminal(d, op, at)
    return
  }
  if (spec.dtmf.stopTones.includes(tone)) {
    Lifecycle.complete(d, op, at, Result.stopToneDetected, {
      recognitionType: 'dtmf',
      tones: op.collected,
    })
    Lifecycle.afterTerminal(d, op, at)
    return
  }
  const tones = op.collected.length === 0 ? [tone] : [...op.collected, tone]
  if (tones.length >= spec.dtmf.maxTonesToCollect) {
    Lifecycle.complete(d, op, at, Result.maxDigitsReceived, { recognitionType: 'dtmf', tones })
    Lifecycle.afterTerminal(d, op, at)
    return
  }
  d.emit({ _tag: 'RecognizeToneCollected', at, operationId: op.id, tone })
}

const tonePressed = (d: Draft, at: Instant, signal: Signal.TonePressed): void => {
  const who = signal.participant
  if (State.participantOf(d.state, who) === null) return
  if (
    !Number.isSafeInteger(signal.pressId) ||
    signal.pressId <= (State.pressOf(d.state, who)?.pressId ?? 0)
  )
    return
  const continuous = State.continuousOf(d.state, who)
  const recognizer = recognizerFor(d.state, who)
  if (continuous === null && recognizer === null) return
  d.emit({
    _tag: 'ToneObserved',
    at,
    participant: signal.participant,
    tone: signal.tone,
    pressId: signal.pressId,
  })
  if (continuous !== null)
    d.emit(
      attach(
        {
          _tag: 'ContinuousDtmfRecognitionToneReceived',
          at,
          operationId: continuous.id,
          participant: continuous.participant,
          sequenceId: continuous.nextSequenceId,
          tone: signal.tone,
          resultInformation: Result.success,
        },
        continuous.operationContext,
      ),
      continuous.callbackUri,
    )
  if (recognizer !== null && hears(d, at, recognizer)) {
    const current = State.findOperation(d.state, recognizer.id)
    if (current !== null) feedTone(d, at, current, signal.tone)
  }
}

const normalize = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()

const speech = (d: Draft, at: Instant, signal: Signal.SpeechRecognized): void => {
  const r = raw(signal.participant)
  // `speechId` rises like `pressId`: a result seen before must not feed the next recognize
  if (!Number.isSafeInteger(signal.speechId) || signal.speechId <= State.lastSpeechId(d.state, r))
    return
  const op = recognizerFor(d.state, signal.participant)
  if (op === null || op.spec._tag !== 'Recognize' || op.spec.inputType === 'dtmf') return
  d.emit({
    _tag: 'SpeechObserved',
    at,
    participant: signal.participant,
    speechId: signal.speechId,
  })
  if (!hears(d, at, op)) return
  const current = State.findOperation(d.state, op.id)
  if (current === null || current.spec._tag !== 'Recognize') return
  const confidence = Number.isFinite(signal.confidence)
    ? Math.min(1, Math.max(0, signal.confidence))
    : 0
  if (current.spec.inputType === 'choices') {
    const said = normalize(signal.text)
    const choice = current.spec.choices.find((c) => c.phrases.some((p) => normalize(p) === said))
    if (choice !== undefined)
      Lifecycle.complete(d, current, at, Result.speechOptionMatched, {
        recognitionType: 'choices',
        label: choice.label,
        recognizedPhrase: signal.text,
        confidence,
      })
    else Lifecycle.finish(d, current, at, 'failed', Result.speechOptionNotMatched)
  } else
    Lifecycle.complete(d, current, at, Result.speechRecognized, {
      recognitionType: 'speech',
      speech: signal.text,
      confidence,
    })
  Lifecycle.afterTerminal(d, current, at)
}

// ------------------------------------------------------------------ hold, streaming, transcription

const holdMusicFailed = (d: Draft, at: Instant, signal: Signal.HoldMusicFailed): void => {
  const hold = State.holdOf(d.state, signal.participant)
  if (hold === null || hold.musicFailed) return
  d.emit(
    attach(
      {
        _tag: 'HoldFailed',
        at,
        participant: hold.participant,
        resultInformation: playbackFailure(signal.reason),
      },
      hold.operationContext,
    ),
    hold.callbackUri,
  )
}

const streamConnected = (d: Draft, at: Instant, signal: Signal.MediaStreamConnected): void => {
  const s = d.state.streaming
  if (s._tag !== 'Starting' || s.id !== signal.operationId) return
  d.emit(
    attach(
      {
        _tag: 'MediaStreamingStarted',
        at,
        operationId: s.id,
        resultInformation: Result.success,
        mediaStreamingUpdate: Lifecycle.streamingUpdate(
          'mediaStreamingStarted',
          'subscriptionStarted',
        ),
      },
      s.operationContext,
    ),
    s.callbackUri,
  )
}

const streamFailed = (d: Draft, at: Instant, signal: Signal.MediaStreamFailed): void => {
  const s = d.state.streaming
  if (s._tag === 'Off' || s.id !== signal.operationId) return
  d.emit(
    attach(
      {
        _tag: 'MediaStreamingFailed',
        at,
        operationId: s.id,
        resultInformation: Result.mediaStreamingFailed(String(signal.reason)),
        mediaStreamingUpdate: Lifecycle.streamingUpdate(
          'mediaStreamingFailed',
          s._tag === 'Starting'
            ? 'initialWebSocketConnectionFailed'
            : 'streamConnectionInterrupted',
        ),
      },
      s.operationContext,
    ),
    s.callbackUri,
  )
}

const transcriptionConnected = (
  d: Draft,
  at: Instant,
  signal: Signal.TranscriptionConnected,
): void => {
  const s = d.state.transcription
  if (s._tag !== 'Starting' || s.id !== signal.operationId) return
  d.emit(
    attach(
      {
        _tag: 'TranscriptionStarted',
        at,
        operationId: s.id,
        resultInformation: Result.success,
        transcriptionUpdate: Lifecycle.transcriptionUpdate(
          'transcriptionStarted',
          'subscriptionStarted',
        ),
      },
      s.operationContext,
    ),
    s.callbackUri,
  )
}

const transcriptionFailed = (d: Draft, at: Instant, signal: Signal.TranscriptionFailed): void => {
  const s = d.state.transcription
  if (s._tag === 'Off' || s.id !== signal.operationId) return
  d.emit(
    attach(
      {
        _tag: 'TranscriptionFailed',
        at,
        operationId: s.id,
        resultInformation: Result.transcriptionFailed(String(signal.reason)),
        transcriptionUpdate: Lifecycle.transcriptionUpdate(
          'transcriptionFailed',
          'streamConnectionUnsuccessful',
        ),
      },
      s.operationContext,
    ),
    s.callbackUri,
  )
}

// ------------------------------------------------------------------ transfer

const transferOutcome = (
  d: Draft,
  at: Instant,
  signal: Signal.TransferAccepted | Signal.TransferFailed,
): void => {
  const t = d.state.transfer
  if (t === null || t.id !== signal.operationId) return
  if (signal._tag === 'TransferFailed') {
    d.emit(
      attach(
        {
          _tag: 'CallTransferFailed',
          at,
          operationId: t.id,
          resultInformation: Result.transferFailed,
        },
        t.operationContext,
      ),
      t.callbackUri,
    )
    return
  }
  d.emit(
    attach(
      {
        _tag: 'CallTransferAccepted',
        at,
        operationId: t.id,
        transferTarget: t.target,
        resultInformation: Result.success,
        ...(t.transferee !== undefined ? { transferee: t.transferee } : {}),
      },
      t.operationContext,
    ),
    t.callbackUri,
  )
  Lifecycle.endCall(d, at, false)
}

// ------------------------------------------------------------------ observe

const observeUnsafe = (d: Draft, signal: Signal.Signal, at: Instant): void => {
  // the most frequent signals first: a switch on strings tests its cases in order
  switch (signal._tag) {
    case 'TonePressed':
      return tonePressed(d, at, signal)
    case 'PlaybackStarted':
      return playbackStarted(d, at, signal)
    case 'PlaybackFinished': {
      const op = State.findOperation(d.state, signal.operationId)
      if (op !== null) playbackEnded(d, at, op)
      return
    }
    case 'PartyAnswered':
      return answered(d, at, signal.participant)
    case 'PartyDeclined':
      return notJoined(d, at, signal.participant, signal.reason)
    case 'PartyHungUp':
      return hungUp(d, at, signal.participant)
    case 'CallEstablished':
      return established(d, at)
    case 'TransferAccepted':
    case 'TransferFailed':
      return transferOutcome(d, at, signal)
    case 'PlaybackFailed':
      return playbackFailed(d, at, signal)
    case 'TonesSent':
    case 'TonesFailed':
      return tonesSent(d, at, signal)
    case 'SpeechRecognized':
      return speech(d, at, signal)
    case 'HoldMusicFailed':
      return holdMusicFailed(d, at, signal)
    case 'MediaStreamConnected':
      return streamConnected(d, at, signal)
    case 'MediaStreamFailed':
      return streamFailed(d, at, signal)
    case 'TranscriptionConnected':
      return transcriptionConnected(d, at, signal)
    case 'TranscriptionFailed':
      return transcriptionFailed(d, at, signal)
  }
}

/**
 * Folds a media-plane fact into a decision. A signal that no longer applies (a duplicate, one for
 * an operation that already ended, one for a call that ended) yields the empty decision.
 */
export const observe = (state: State.State, signal: Signal.Signal, context: Context): Decision => {
  if (!State.isLive(state)) return empty
  const d = new Draft(state)
  try {
    observeUnsafe(d, signal, context.now)
  } catch {
    return empty
  }
  // a signal that no longer applies allocates nothing more
  return d.isEmpty ? empty : d.done()
}
