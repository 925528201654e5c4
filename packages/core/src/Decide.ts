import { attach } from './OperationContext.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { left, right } from 'fp-ts/lib/Either.js'
import type * as Command from './Command.js'
import { Draft } from './Decision.js'
import type { Decision } from './Decision.js'
import * as Ids from './Ids.js'
import * as Identifier from './Identifier.js'
import type { Instant } from './Instant.js'
import * as Lifecycle from './Lifecycle.js'
import * as Op from './Operation.js'
import type { Operation } from './Operation.js'
import * as PlaySource from './PlaySource.js'
import * as Rejection from './Rejection.js'
import type { Rejection as Refusal } from './Rejection.js'
import * as Result from './ResultInformation.js'
import * as Rules from './Rules.js'
import * as State from './State.js'
import * as Tone from './Tone.js'
import type * as Event from './Event.js'
import type { Participant } from './Event.js'
import type * as Instruction from './Instruction.js'

/** What `decide` knows of the world besides the state and the command: the current instant. */
export interface Context {
  readonly now: Instant
}

const raw = Identifier.rawId
const reject = (rule: Rejection.RuleName, message: string): Either<Refusal, never> =>
  left(Rejection.make(rule, message))

const callbackOf = (state: State.State, options: Command.OperationOptions): string =>
  options.operationCallbackUri ?? state.call?.callbackUri ?? ''

// ------------------------------------------------------------------ guards

/** The call must exist, be connected, and not have ended. */
const established = (state: State.State): Refusal | null => {
  switch (state.status) {
    case 'none':
      return Rejection.make('callNotFound', 'Call not found.')
    case 'connecting':
      return Rejection.make('callNotEstablished', 'Action failed, the call is not established yet.')
    case 'disconnected':
      return Rejection.make(
        'callTerminated',
        'Action failed, the call has already been terminated.',
      )
    case 'connected':
    case 'transferring':
      return null
  }
}

interface TargetRules {
  /** The rule that refuses a target who is not a PSTN number; none when any kind may be aimed at. */
  readonly pstn?: 'dtmfTargetNotPstn' | 'continuousDtmfTargetNotPstn'
  /** Refuse a target who is on hold (participant-specific media). */
  readonly notOnHold?: boolean
  readonly field: string
}

const isIdentifier = (u: unknown): u is Identifier.Identifier =>
  typeof u === 'object' && u !== null && typeof (u as { _tag?: unknown })._tag === 'string'

/** A participant-specific operation's target: not Teams, the right kind, in the call, not on hold. */
const checkTarget = (
  state: State.State,
  target: Identifier.Identifier,
  rules: TargetRules,
): Refusal | null => {
  if (!isIdentifier(target))
    return Rejection.make(
      'invalidArgument',
      `Invalid request: ${rules.field} is not an identifier.`,
    )
  if (Identifier.isTeams(target))
    return Rejection.make(
      'teamsNotSupported',
      `${rules.field}: ${Identifier.describe(target)} is a Microsoft Teams identity; Call Automation does not interoperate with Teams.`,
    )
  if (rules.pstn !== undefined && !Identifier.isPstn(target))
    return Rejection.make(
      rules.pstn,
      `Invalid request: ${rules.field} must be a PSTN phone number, got ${Identifier.describe(target)}.`,
    )
  if (State.participantOf(state, target) === null)
    return Rejection.make('targetNotInCall', `Participant ${raw(target)} is not in the call.`)
  if (rules.notOnHold === true && State.holdOf(state, target) !== null)
    return Rejection.make(
      'targetOnHold',
      `Invalid media mode: participant ${raw(target)} is on hold.`,
    )
  return null
}

const checkSources = (sources: unknown, field: string, min: number): Refusal | null => {
  if (!Array.isArray(sources))
    return Rejection.make('invalidArgument', `Invalid request: ${field} must be an array.`)
  if (sources.length < min)
    return Rejection.make(
      'invalidArgument',
      `Invalid request: ${field} must contain at least ${min} play source.`,
    )
  if (sources.length > PlaySource.maxSources)
    return Rejection.make(
      'invalidArgument',
      `Invalid request: ${field} must contain at most ${PlaySource.maxSources} play sources.`,
    )
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i] as PlaySource.PlaySource
    if (
      typeof s !== 'object' ||
      s === null ||
      (s._tag !== 'File' && s._tag !== 'Text' && s._tag !== 'Ssml')
    )
      return Rejection.make(
        'invalidArgument',
        `Invalid request: ${field}[${i}] is not a play source.`,
      )
    if (PlaySource.isEmpty(s))
      return Rejection.make(
        'invalidArgument',
        `Invalid request: ${field}[${i}] has nothing to play.`,
      )
  }
  return null
}

const incompatible = (requested: Rules.RequestedKind, blockedBy: Rules.ExistingKind): Refusal =>
  Rejection.make(
    'incompatibleMediaOperation',
    `Precondition failed: ${requested} cannot run or be queued while ${blockedBy} is running or queued (media action compatibility table).`,
  )

/**
 * Asks the table, for a request that occupies a lane or is listed in it: `Rules.verdict` over the
 * kinds running or queued (the main lane in order, the sub slot, continuous recognition), read
 * from the state without listing them first.
 */
const consult = (
  state: State.State,
  requested: Rules.RequestedKind,
  interrupt: boolean,
): Refusal | Rules.Verdict => {
  const main = state.main
  for (let i = 0; i < main.length; i++) {
    const e = main[i]!.kind
    if (Rules.blocks(e, requested, interrupt)) return incompatible(requested, e)
  }
  if (state.sub !== null && Rules.blocks(state.sub.kind, requested, interrupt))
    return incompatible(requested, state.sub.kind)
  if (
    state.continuous.length > 0 &&
    Rules.blocks('ContinuousDtmfRecognition', requested, interrupt)
  )
    return incompatible(requested, 'ContinuousDtmfRecognition')
  return Rules.settle(requested, main.length > 0, interrupt)
}

const isRefusal = (v: Refusal | Rules.Verdict): v is Refusal => v._tag === 'Rejection'

// ------------------------------------------------------------------ media operations

const accept = (
  state: State.State,
  now: Instant,
  kind: Op.Kind,
  spec: Operation['spec'],
  options: Command.OperationOptions,
  interrupt: boolean,
): Either<Refusal, Decision> => {
  const verdict = consult(state, kind, interrupt)
  if (isRefusal(verdict)) return left(verdict)
  const d = new Draft(state)
  if (interrupt) Lifecycle.cancelLane(d, Op.lane(kind), now)
  const queued = verdict._tag === 'Queue' && d.state.main.length > 0
  const pending: Operation = attach(
    {
      id: Ids.operationId(d.state.nextOperation),
      kind,
      phase: 'queued',
      deadline: null,
      callbackUri: callbackOf(state, options),
      spec,
      collected: [],
    },
    options.operationContext,
  )
  const operation = queued ? pending : Op.begin(pending, now)
  d.emit({ _tag: 'OperationAccepted', at: now, operation })
  if (!queued) Lifecycle.startMedia(d, operation)
  return right(d.done())
}

const play = (
  state: State.State,
  command: Command.PlayToAll | Command.PlayTo,
  now: Instant,
): Either<Refusal, Decision> => {
  const sourcesError = checkSources(command.sources, 'playSources', 1)
  if (sourcesError !== null) return left(sourcesError)
  const targets = command._tag === 'PlayTo' ? command.targets : []
  if (command._tag === 'PlayTo') {
    if (!Array.isArray(targets) || targets.length === 0)
      return reject(
        'invalidArgument',
        'Invalid request: playTo must name at least one participant.',
      )
    for (let i = 0; i < targets.length; i++) {
      const e = checkTarget(state, targets[i]!, { notOnHold: true, field: `playTo[${i}]` })
      if (e !== null) return left(e)
    }
  }
  return accept(
    state,
    now,
    command._tag,
    { _tag: 'Play', sources: command.sources, targets, loop: command.loop === true },
    command,
    command.interrupt === true,
  )
}

const allTones = (tones: ReadonlyArray<unknown>): boolean => {
  for (let i = 0; i < tones.length; i++) if (!Tone.isTone(tones[i])) return false
  return true
}

const inRange = (n: unknown, min: number, max: number): boolean =>
  typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max

const recognize = (
  state: State.State,
  command: Command.Recognize,
  now: Instant,
): Either<Refusal, Decision> => {
  const type = command.inputType
  if (type !== 'dtmf' && type !== 'choices' && type !== 'speech' && type !== 'speechOrDtmf')
    return reject(
      'invalidArgument',
      'Invalid request: recognizeInputType must be dtmf, choices, speech or speechOrDtmf.',
    )
  const sourcesError = checkSources(command.prompts, 'playPrompts', 0)
  if (sourcesError !== null) return left(sourcesError)
  if (!inRange(command.initialSilenceTimeoutMs, 0, 300_000))
    return reject(
      'invalidArgument',
      'Invalid request: recognizeOptions.initialSilenceTimeoutInSeconds must be between 0 and 300.',
    )
  const dtmf = command.dtmf ?? { interToneTimeoutMs: 2_000, maxTonesToCollect: 1, stopTones: [] }
  if (!inRange(dtmf.interToneTimeoutMs, 1_000, 60_000))
    return reject(
      'invalidArgument',
      'Invalid request: recognizeOptions.dtmfOptions.interToneTimeoutInSeconds must be between 1 and 60.',
    )
  if (!Number.isInteger(dtmf.maxTonesToCollect) || !inRange(dtmf.maxTonesToCollect, 1, 100))
    return reject(
      'invalidArgument',
      'Invalid request: recognizeOptions.dtmfOptions.maxTonesToCollect must be between 1 and 100.',
    )
  if (!Array.isArray(dtmf.stopTones) || !allTones(dtmf.stopTones))
    return reject(
      'toneUnknown',
      'Invalid request: recognizeOptions.dtmfOptions.stopTones contains an unknown tone.',
    )
  const choices = command.choices ?? []
  if (command.inputType === 'choices') {
    if (!Array.isArray(choices) || choices.length === 0)
      return reject(
        'invalidArgument',
        'Invalid request: recognizeOptions.choices must contain at least one choice.',
      )
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i]!
      if (typeof c.label !== 'string' || c.label.length === 0)
        return reject(
          'invalidArgument',
          `Invalid request: recognizeOptions.choices[${i}].label is required.`,
        )
      if (!Array.isArray(c.phrases) || c.phrases.length === 0)
        return reject(
          'invalidArgument',
          `Invalid request: recognizeOptions.choices[${i}].phrases must not be empty.`,
        )
      if (c.tone !== undefined && !Tone.isTone(c.tone))
        return reject(
          'toneUnknown',
          `Invalid request: recognizeOptions.choices[${i}].tone is not a DTMF tone.`,
        )
    }
  }
  const targetError = checkTarget(state, command.target, {
    notOnHold: true,
    field: 'recognizeOptions.targetParticipant',
  })
  if (targetError !== null) return left(targetError)
  const kind: Op.Kind = State.isGroupCall(state) ? 'RecognizeGroup' : 'RecognizeNonGroup'
  const spec: { -readonly [K in keyof Op.RecognizeSpec]: Op.RecognizeSpec[K] } = {
    _tag: 'Recognize',
    inputType: command.inputType,
    target: command.target,
    prompts: command.prompts,
    interruptPrompt: command.interruptPrompt === true,
    initialSilenceTimeoutMs: command.initialSilenceTimeoutMs,
    dtmf,
    choices,
  }
  if (command.speechLanguage !== undefined) spec.speechLanguage = command.speechLanguage
  return accept(state, now, kind, spec, command, command.interrupt === true)
}

const sendDtmf = (
  state: State.State,
  command: Command.SendDtmfTones,
  now: Instant,
): Either<Refusal, Decision> => {
  const tones: ReadonlyArray<unknown> = Array.isArray(command.tones) ? command.tones : []
  if (tones.length === 0)
    return reject('tonesEmpty', 'Invalid request: tones must contain at least 1 tone.')
  if (tones.length > Tone.maxTonesPerRequest)
    return reject(
      'tonesTooMany',
      `Invalid request: tones must contain at most ${Tone.maxTonesPerRequest} tones, got ${tones.length}.`,
    )
  let bad = -1
  for (let i = 0; i < tones.length; i++)
    if (!Tone.isTone(tones[i])) {
      bad = i
      break
    }
  if (bad >= 0)
    return reject(
      'toneUnknown',
      `Invalid request: tones[${bad}] is not a DTMF tone (zero..nine, a..d, pound, asterisk).`,
    )
  const targetError = checkTarget(state, command.target, {
    pstn: 'dtmfTargetNotPstn',
    notOnHold: true,
    field: 'targetParticipant',
  })
  if (targetError !== null) return left(targetError)
  return accept(
    state,
    now,
    'SendDtmf',
    { _tag: 'Dtmf', target: command.target, tones: command.tones },
    command,
    false,
  )
}

const startContinuous = (
  state: State.State,
  command: Command.StartContinuousDtmfRecognition,
  now: Instant,
): Either<Refusal, Decision> => {
  const targetError = checkTarget(state, command.target, {
    pstn: 'continuousDtmfTargetNotPstn',
    notOnHold: true,
    field: 'targetParticipant',
  })
  if (targetError !== null) return left(targetError)
  if (State.continuousOf(state, command.target) !== null)
    return reject(
      'continuousDtmfAlreadyRunning',
      `Invalid media mode: continuous DTMF recognition is already running for ${raw(command.target)}.`,
    )
  const verdict = consult(state, 'StartContinuousDtmfRecognition', false)
  if (isRefusal(verdict)) return left(verdict)
  const d = new Draft(state)
  d.emit(
    attach(
      {
        _tag: 'ContinuousDtmfRecognitionStarted',
        at: now,
        operationId: Ids.operationId(state.nextOperation),
        participant: command.target,
        callbackUri: callbackOf(state, command),
      },
      command.operationContext,
    ),
  )
  return right(d.done())
}

const stopContinuous = (
  state: State.State,
  command: Command.StopContinuousDtmfRecognition,
  now: Instant,
): Either<Refusal, Decision> => {
  if (!isIdentifier(command.target))
    return reject('invalidArgument', 'Invalid request: targetParticipant is not an identifier.')
  if (Identifier.isTeams(command.target))
    return reject(
      'teamsNotSupported',
      'targetParticipant is a Microsoft Teams identity; Call Automation does not interoperate with Teams.',
    )
  if (State.continuousOf(state, command.target) === null)
    return reject(
      'continuousDtmfNotRunning',
      `Action not valid: no continuous DTMF recognition is running for ${raw(command.target)}.`,
    )
  const d = new Draft(state)
  Lifecycle.stopContinuous(d, now, command.target, command)
  return right(d.done())
}

const hold = (
  state: State.State,
  command: Command.Hold,
  now: Instant,
): Either<Refusal, Decision> => {
  const targetError = checkTarget(state, command.target, { field: 'targetParticipant' })
  if (targetError !== null) return left(targetError)
  if (command.playSource !== undefined) {
    const e = checkSources([command.playSource], 'playSourceInfo', 1)
    if (e !== null) return left(e)
  }
  const target = command.target
  if (State.holdOf(state, target) !== null)
    return reject(
      'alreadyOnHold',
      `Action not valid: participant ${raw(target)} is already on hold.`,
    )
  const d = new Draft(state)
  const started: { -readonly [K in keyof Event.HoldStarted]: Event.HoldStarted[K] } = {
    _tag: 'HoldStarted',
    at: now,
    participant: target,
    callbackUri: callbackOf(state, command),
  }
  if (command.playSource !== undefined) started.playSource = command.playSource
  d.emit(attach(started, command.operationContext))
  const music: {
    -readonly [K in keyof Instruction.StartHoldMusic]: Instruction.StartHoldMusic[K]
  } = { _tag: 'StartHoldMusic', participant: target }
  if (command.playSource !== undefined) music.source = command.playSource
  d.instruct(music)
  Lifecycle.updateParticipants(d, now, withHold(d.state.participants, target, true))
  return right(d.done())
}

const unhold = (
  state: State.State,
  command: Command.Unhold,
  now: Instant,
): Either<Refusal, Decision> => {
  const targetError = checkTarget(state, command.target, { field: 'targetParticipant' })
  if (targetError !== null) return left(targetError)
  if (State.holdOf(state, command.target) === null)
    return reject(
      'notOnHold',
      `Action not valid: participant ${raw(command.target)} is not on hold.`,
    )
  const d = new Draft(state)
  d.emit({ _tag: 'HoldEnded', at: now, participant: command.target })
  d.instruct({ _tag: 'StopHoldMusic', participant: command.target })
  Lifecycle.updateParticipants(d, now, withHold(d.state.participants, command.target, false))
  return right(d.done())
}

/** The participants with this one's `isOnHold` set. */
const withHold = (
  participants: ReadonlyArray<Participant>,
  who: Identifier.Identifier,
  isOnHold: boolean,
): ReadonlyArray<Participant> => {
  const out: Array<Participant> = []
  for (let i = 0; i < participants.length; i++) {
    const p = participants[i]!
    out.push(
      Identifier.equals(p.identifier, who)
        ? { identifier: p.identifier, isMuted: p.isMuted, isOnHold }
        : p,
    )
  }
  return out
}

const cancelAll = (state: State.State, now: Instant): Either<Refusal, Decision> => {
  const d = new Draft(state)
  Lifecycle.cancelLane(d, 'sub', now)
  Lifecycle.cancelLane(d, 'main', now)
  return right(d.done())
}

const startStreaming = (
  state: State.State,
  command: Command.StartMediaStreaming,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.call?.mediaStreaming === undefined)
    return reject(
      'mediaStreamingNotConfigured',
      'Media streaming was not configured for this call (mediaStreamingOptions at create or answer).',
    )
  if (state.streaming._tag !== 'Off')
    return reject(
      'mediaStreamingAlreadyStarted',
      'Action not valid: media streaming is already started.',
    )
  const d = new Draft(state)
  Lifecycle.requestStreaming(d, now, command)
  return right(d.done())
}

const stopStreaming = (
  state: State.State,
  command: Command.StopMediaStreaming,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.streaming._tag === 'Off')
    return reject('mediaStreamingNotStarted', 'Action not valid: media streaming is not started.')
  const d = new Draft(state)
  Lifecycle.stopStreaming(d, now, command, 'subscriptionStopped')
  return right(d.done())
}

const startTranscription = (
  state: State.State,
  command: Command.StartTranscription,
  now: Instant,
): Either<Refusal, Decision> => {
  const config = state.call?.transcription
  if (config === undefined)
    return reject(
      'transcriptionNotConfigured',
      'Transcription was not configured for this call (transcriptionOptions at create or answer).',
    )
  if (state.transcription._tag !== 'Off')
    return reject(
      'transcriptionAlreadyStarted',
      'Action not valid: transcription is already started.',
    )
  const d = new Draft(state)
  Lifecycle.requestTranscription(d, now, command, command.locale ?? config.locale)
  return right(d.done())
}

const stopTranscription = (
  state: State.State,
  command: Command.StopTranscription,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.transcription._tag === 'Off')
    return reject('transcriptionNotStarted', 'Action not valid: transcription is not started.')
  const d = new Draft(state)
  Lifecycle.stopTranscription(d, now, command)
  return right(d.done())
}

const updateTranscription = (
  state: State.State,
  command: Command.UpdateTranscription,
  now: Instant,
): Either<Refusal, Decision> => {
  const session = state.transcription
  if (session._tag === 'Off')
    return reject('transcriptionNotStarted', 'Action not valid: transcription is not started.')
  const locale = command.locale ?? state.transcriptionLocale ?? 'en-US'
  const d = new Draft(state)
  d.instruct({ _tag: 'ChangeTranscriptionLocale', operationId: session.id, locale })
  d.emit(
    attach(
      {
        _tag: 'TranscriptionUpdated',
        at: now,
        operationId: session.id,
        locale,
        resultInformation: Result.success,
        transcriptionUpdate: Lifecycle.transcriptionUpdate(
          'transcriptionUpdated',
          'transcriptionLocaleUpdated',
        ),
      },
      command.operationContext ?? session.operationContext,
    ),
    command.operationCallbackUri ?? session.callbackUri,
  )
  return right(d.done())
}

// ------------------------------------------------------------------ call operations

const create = (
  state: State.State,
  command: Command.CreateCall | Command.AnswerCall,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.status !== 'none')
    return reject(
      'callAlreadyExists',
      `Conflict: call connection ${command.callConnectionId} already exists.`,
    )
  if (typeof command.callbackUri !== 'string' || command.callbackUri.length === 0)
    return reject('invalidArgument', 'Invalid request: callbackUri is required.')
  const parties = command._tag === 'CreateCall' ? command.targets : [command.caller]
  if (!Array.isArray(parties) || parties.length === 0)
    return reject(
      'invalidArgument',
      'Invalid request: targets must contain at least one participant.',
    )
  for (let i = 0; i < parties.length; i++) {
    const p = parties[i]!
    if (!isIdentifier(p))
      return reject('invalidArgument', `Invalid request: targets[${i}] is not an identifier.`)
    if (Identifier.isTeams(p))
      return reject(
        'teamsNotSupported',
        `targets[${i}]: ${Identifier.describe(p)} is a Microsoft Teams identity; Call Automation does not interoperate with Teams.`,
      )
  }
  if (parties.length > 1) {
    const seen = new Set(parties.map(raw))
    if (seen.size !== parties.length)
      return reject(
        'invalidArgument',
        'Invalid request: targets contains the same participant twice.',
      )
  }
  const d = new Draft(state)
  const app = command._tag === 'CreateCall' ? command.source : command.answeredBy
  const created: { -readonly [K in keyof Event.CallCreated]: Event.CallCreated[K] } = {
    _tag: 'CallCreated',
    at: now,
    direction: command._tag === 'CreateCall' ? 'outbound' : 'inbound',
    callConnectionId: command.callConnectionId,
    serverCallId: command.serverCallId,
    correlationId: command.correlationId,
    callbackUri: command.callbackUri,
    app,
    parties,
  }
  if (command.mediaStreaming !== undefined) created.mediaStreaming = command.mediaStreaming
  if (command.transcription !== undefined) created.transcription = command.transcription
  if (command._tag === 'CreateCall' && command.sourceCallerIdNumber !== undefined)
    created.sourceCallerIdNumber = command.sourceCallerIdNumber
  if (command._tag === 'CreateCall' && command.sourceDisplayName !== undefined)
    created.sourceDisplayName = command.sourceDisplayName
  d.emit(attach(created, command.operationContext))
  if (command._tag === 'CreateCall') {
    const dial: { -readonly [K in keyof Instruction.Dial]: Instruction.Dial[K] } = {
      _tag: 'Dial',
      participants: parties,
      source: app,
    }
    if (command.sourceCallerIdNumber !== undefined)
      dial.sourceCallerIdNumber = command.sourceCallerIdNumber
    d.instruct(dial)
  } else d.instruct({ _tag: 'ConnectCall', caller: command.caller })
  return right(d.done())
}

const hangUp = (
  state: State.State,
  command: Command.HangUp,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.status === 'none') return reject('callNotFound', 'Call not found.')
  if (state.status === 'disconnected')
    return reject('callTerminated', 'Action failed, the call has already been terminated.')
  const d = new Draft(state)
  if (state.status === 'connecting' && state.call?.direction === 'outbound') {
    for (const i of state.invitations)
      if (i.purpose === 'createCall')
        d.emit({ _tag: 'InvitationEnded', at: now, participant: i.participant })
  }
  Lifecycle.endCall(d, now, command.forEveryone === true)
  return right(d.done())
}

const addParticipant = (
  state: State.State,
  command: Command.AddParticipant,
  now: Instant,
): Either<Refusal, Decision> => {
  const p = command.participant
  if (!isIdentifier(p))
    return reject('invalidArgument', 'Invalid request: participantToAdd is not an identifier.')
  if (Identifier.isTeams(p))
    return reject(
      'teamsNotSupported',
      `participantToAdd: ${Identifier.describe(p)} is a Microsoft Teams identity; Call Automation does not interoperate with Teams.`,
    )
  if (!inRange(command.invitationTimeoutMs, 1, 180_000))
    return reject(
      'invalidArgument',
      'Invalid request: invitationTimeoutInSeconds must be between 1 and 180.',
    )
  const r = raw(p)
  if (
    State.findParticipant(state, r) !== null ||
    state.invitations.some((i) => raw(i.participant) === r) ||
    raw(state.call!.app) === r
  )
    return reject(
      'participantAlreadyInCall',
      `Invalid request: ${r} is already in the call or invited.`,
    )
  if (state.invitations.some((i) => i.invitationId === command.invitationId))
    return reject(
      'invalidArgument',
      `Invalid request: invitation ${command.invitationId} already exists.`,
    )
  const d = new Draft(state)
  d.emit(
    attach(
      {
        _tag: 'InvitationSent',
        at: now,
        invitationId: command.invitationId,
        participant: p,
        deadline: (now + command.invitationTimeoutMs) as Instant,
        callbackUri: callbackOf(state, command),
      },
      command.operationContext,
    ),
  )
  d.instruct({
    _tag: 'Invite',
    invitationId: command.invitationId,
    participant: p,
    timeoutMs: command.invitationTimeoutMs,
  })
  return right(d.done())
}

const removeParticipant = (
  state: State.State,
  command: Command.RemoveParticipant,
  now: Instant,
): Either<Refusal, Decision> => {
  const targetError = checkTarget(state, command.participant, { field: 'participantToRemove' })
  if (targetError !== null) return left(targetError)
  const d = new Draft(state)
  d.instruct({ _tag: 'RemoveParty', participant: command.participant })
  d.emit(
    attach(
      {
        _tag: 'RemoveParticipantSucceeded',
        at: now,
        participant: command.participant,
        resultInformation: Result.success,
      },
      command.operationContext,
    ),
    callbackOf(state, command),
  )
  Lifecycle.partyLeft(d, now, command.participant)
  return right(d.done())
}

const cancelAdd = (
  state: State.State,
  command: Command.CancelAddParticipant,
  now: Instant,
): Either<Refusal, Decision> => {
  const invitation = state.invitations.find(
    (i) => i.purpose === 'addParticipant' && i.invitationId === command.invitationId,
  )
  if (invitation === undefined || invitation.invitationId === null)
    return reject('invitationNotFound', `Invitation ${command.invitationId} is not pending.`)
  const d = new Draft(state)
  d.instruct({
    _tag: 'CancelInvite',
    invitationId: invitation.invitationId,
    participant: invitation.participant,
  })
  d.emit(
    attach(
      {
        _tag: 'CancelAddParticipantSucceeded',
        at: now,
        invitationId: invitation.invitationId,
        resultInformation: Result.success,
      },
      command.operationContext,
    ),
    callbackOf(state, command),
  )
  return right(d.done())
}

const mute = (
  state: State.State,
  command: Command.MuteParticipant,
  now: Instant,
): Either<Refusal, Decision> => {
  const p = command.participant
  if (isIdentifier(p) && !Identifier.isTeams(p) && !Identifier.isCommunicationUser(p))
    return reject(
      'muteNotSupported',
      `Invalid request: only ACS communication users can be muted, got ${Identifier.describe(p)}.`,
    )
  const targetError = checkTarget(state, p, { field: 'targetParticipants[0]' })
  if (targetError !== null) return left(targetError)
  const r = raw(p)
  const d = new Draft(state)
  d.instruct({ _tag: 'MuteParty', participant: p })
  if (State.findParticipant(state, r)?.isMuted !== true)
    Lifecycle.updateParticipants(
      d,
      now,
      state.participants.map((x) => (raw(x.identifier) === r ? { ...x, isMuted: true } : x)),
    )
  return right(d.done())
}

const transfer = (
  state: State.State,
  command: Command.TransferToParticipant,
  now: Instant,
): Either<Refusal, Decision> => {
  if (state.transfer !== null)
    return reject('transferInProgress', 'Conflict: a transfer is already in progress.')
  const t = command.target
  if (!isIdentifier(t))
    return reject('invalidArgument', 'Invalid request: targetParticipant is not an identifier.')
  if (Identifier.isTeams(t))
    return reject(
      'teamsNotSupported',
      `targetParticipant: ${Identifier.describe(t)} is a Microsoft Teams identity; Call Automation does not interoperate with Teams.`,
    )
  if (command.transferee !== undefined) {
    const e = checkTarget(state, command.transferee, { field: 'transferee' })
    if (e !== null) return left(e)
  }
  const operationId = Ids.operationId(state.nextOperation)
  const d = new Draft(state)
  d.emit(
    attach(
      {
        _tag: 'TransferRequested',
        at: now,
        operationId,
        target: t,
        callbackUri: callbackOf(state, command),
        ...(command.transferee !== undefined ? { transferee: command.transferee } : {}),
      },
      command.operationContext,
    ),
  )
  d.instruct({
    _tag: 'TransferCall',
    operationId,
    target: t,
    ...(command.transferee !== undefined ? { transferee: command.transferee } : {}),
  })
  return right(d.done())
}

// ------------------------------------------------------------------ decide

const decideUnsafe = (
  state: State.State,
  command: Command.Command,
  now: Instant,
): Either<Refusal, Decision> => {
  if (command._tag === 'CreateCall' || command._tag === 'AnswerCall')
    return create(state, command, now)
  if (command._tag === 'HangUp') return hangUp(state, command, now)
  const notReady = established(state)
  if (notReady !== null) return left(notReady)
  switch (command._tag) {
    // media operations, the most frequent, first: a switch on strings tests its cases in order
    case 'PlayToAll':
    case 'PlayTo':
      return play(state, command, now)
    case 'Recognize':
      return recognize(state, command, now)
    case 'SendDtmfTones':
      return sendDtmf(state, command, now)
    case 'StartContinuousDtmfRecognition':
      return startContinuous(state, command, now)
    case 'StopContinuousDtmfRecognition':
      return stopContinuous(state, command, now)
    case 'Hold':
      return hold(state, command, now)
    case 'Unhold':
      return unhold(state, command, now)
    case 'AddParticipant':
      return addParticipant(state, command, now)
    case 'RemoveParticipant':
      return removeParticipant(state, command, now)
    case 'CancelAddParticipant':
      return cancelAdd(state, command, now)
    case 'MuteParticipant':
      return mute(state, command, now)
    case 'TransferToParticipant':
      return transfer(state, command, now)
    case 'CancelAllMediaOperations':
      return cancelAll(state, now)
    case 'StartMediaStreaming':
      return startStreaming(state, command, now)
    case 'StopMediaStreaming':
      return stopStreaming(state, command, now)
    case 'StartTranscription':
      return startTranscription(state, command, now)
    case 'StopTranscription':
      return stopTranscription(state, command, now)
    case 'UpdateTranscription':
      return updateTranscription(state, command, now)
  }
  return reject('invalidArgument', 'Invalid request: unknown command.')
}

/**
 * Decides a caller's request: a refusal (and nothing changes), or the events to record and the
 * instructions to carry out. Deterministic and total: the same state, command and context always
 * give the same answer, and no input makes it throw (malformed input is refused as invalid).
 */
export const decide = (
  state: State.State,
  command: Command.Command,
  context: Context,
): Either<Refusal, Decision> => {
  try {
    return decideUnsafe(state, command, context.now)
  } catch {
    return reject('invalidArgument', 'Invalid request: the command is malformed.')
  }
}
