/**
 * Generators of whole-call scenarios for the property tests, and the runner that plays a scenario
 * through `decide`, `observe` and `expire`, recording every step.
 *
 * A scenario is: a CreateCall (1–3 targets: PSTN numbers, ACS users, sometimes a Teams user), the
 * targets answering or declining, then a random interleaving of commands (every variant, including
 * malformed-ish but well-typed ones), media-plane signals and clock advances. Signals are generated
 * abstractly (which operation, which press) and resolved against the state when they are delivered,
 * so they refer to the real operation ids `op-1..op-n` of the call (and sometimes to bogus ones).
 * Time only moves forward.
 */
import fc from 'fast-check'
import type { Either } from 'fp-ts/lib/Either.js'
import type {
  Command,
  Decision,
  PlaySource,
  Instant as InstantT,
  Rejection,
  Signal,
  State,
} from '../src/index.js'
import {
  decide,
  Event,
  evolve,
  expire,
  initial,
  observe,
  Identifier,
  Ids,
  Instant,
  Tone,
} from '../src/index.js'

type Identifier = Identifier.Identifier
type Tone = Tone.Tone

// ------------------------------------------------------------------ the cast

export const app: Identifier = Identifier.communicationUser('8:acs:app')
export const pstn = (n: number): Identifier =>
  Identifier.phoneNumber(`+1425555${String(n).padStart(4, '0')}`)
export const acs = (n: number): Identifier => Identifier.communicationUser(`8:acs:user-${n}`)
export const teams: Identifier = Identifier.teamsUser('teams-user-1')

/** Everyone a command or a signal may name: the parties of the call and some who never are. */
export const cast: ReadonlyArray<Identifier> = [
  pstn(1),
  pstn(2),
  pstn(3),
  acs(1),
  acs(2),
  pstn(9),
  acs(9),
  teams,
  Identifier.phoneNumber('anonymous', true),
]

/** Who a call may be created to. */
const callable: ReadonlyArray<Identifier> = [pstn(1), pstn(2), pstn(3), acs(1), acs(2)]

/**
 * A stand-in for a party, resolved against the state when the step is played: the k-th party in
 * the call, the k-th PSTN party in the call, the k-th party being rung, or the k-th party whose
 * keys or speech something listens to (a running recognize, a continuous recognition). (Generation happens
 * before the call exists; resolving late makes most commands and signals name real parties.)
 */
export type Role = 'party' | 'pstn' | 'invited' | 'listened'
const placeholder = (role: Role, k: number): Identifier => Identifier.unknown(`@${role}:${k}`)

export const arbParty: fc.Arbitrary<Identifier> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(5).map((k) => placeholder('party', k)) },
  { weight: 3, arbitrary: fc.nat(5).map((k) => placeholder('pstn', k)) },
  { weight: 2, arbitrary: fc.constantFrom(...cast) },
)

const arbInvited: fc.Arbitrary<Identifier> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(5).map((k) => placeholder('invited', k)) },
  { weight: 1, arbitrary: arbParty },
)

const listened = (state: State.State): ReadonlyArray<Identifier> => [
  ...[state.main[0], state.sub].flatMap((op) =>
    op !== undefined && op !== null && op.spec._tag === 'Recognize' ? [op.spec.target] : [],
  ),
  ...state.continuous.map((c) => c.participant),
]

const arbListened: fc.Arbitrary<Identifier> = fc.oneof(
  { weight: 4, arbitrary: fc.nat(5).map((k) => placeholder('listened', k)) },
  { weight: 1, arbitrary: arbParty },
)

const resolveRole = (state: State.State, role: string, k: number): Identifier => {
  const heard = role === 'listened' ? listened(state) : []
  const pool =
    role === 'invited'
      ? state.invitations.map((i) => i.participant)
      : heard.length > 0
        ? heard
        : state.participants
            .map((p) => p.identifier)
            .filter((p) => role !== 'pstn' || Identifier.isPstn(p))
  return pool.length > 0 ? pool[k % pool.length]! : role === 'pstn' ? pstn(1) : acs(1)
}

/** Replaces every stand-in party in `value` (a command or a signal) by a real one. */
export const resolveParties = <T>(state: State.State, value: T): T => {
  if (Array.isArray(value)) return value.map((v: unknown) => resolveParties(state, v)) as T
  if (typeof value !== 'object' || value === null) return value
  const o = value as Record<string, unknown>
  if (o._tag === 'Unknown' && typeof o.id === 'string' && o.id.startsWith('@')) {
    const [role, k] = o.id.slice(1).split(':')
    return resolveRole(state, role ?? 'party', Number(k)) as T
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(o)) out[key] = resolveParties(state, o[key])
  return out as T
}

export const arbTone: fc.Arbitrary<Tone> = fc.constantFrom(...Tone.all)

// ------------------------------------------------------------------ commands

const arbContext = fc.option(fc.constantFrom('ctx-a', 'ctx-b'), { nil: undefined })
const arbCallbackUri = fc.option(fc.constant('https://app.example/op-callback'), {
  nil: undefined,
})

/** `{ operationContext?, operationCallbackUri? }` without explicit `undefined` members. */
const arbOptions = fc
  .record({ operationContext: arbContext, operationCallbackUri: arbCallbackUri })
  .map(({ operationContext, operationCallbackUri }) => ({
    ...(operationContext !== undefined ? { operationContext } : {}),
    ...(operationCallbackUri !== undefined ? { operationCallbackUri } : {}),
  }))

export const arbPlaySource = fc.oneof(
  fc.constant({ _tag: 'File' as const, uri: 'https://media.example/welcome.wav' }),
  fc.constant({ _tag: 'Text' as const, text: 'Hello there' }),
  fc.constant({ _tag: 'Ssml' as const, ssmlText: '<speak>Hi</speak>' }),
)

/** Sometimes a source with nothing to play (refused). */
const arbAnySource = fc.oneof(
  { weight: 12, arbitrary: arbPlaySource },
  { weight: 1, arbitrary: fc.constant({ _tag: 'File' as const, uri: '  ' }) },
)

const arbSources = (min: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.array(arbPlaySource, { minLength: min, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.array(arbAnySource, { minLength: 0, maxLength: 12 }) },
  )

const choices: ReadonlyArray<Command.Choice> = [
  { label: 'yes', phrases: ['yes', 'yeah'], tone: 'one' },
  { label: 'no', phrases: ['no', 'nope'], tone: 'two' },
]

const arbTones = fc.oneof(
  { weight: 6, arbitrary: fc.array(arbTone, { minLength: 1, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant([] as Array<Tone>) },
  { weight: 1, arbitrary: fc.array(arbTone, { minLength: 18, maxLength: 18 }) },
  { weight: 1, arbitrary: fc.array(arbTone, { minLength: 19, maxLength: 19 }) },
)

const arbPlayToAll: fc.Arbitrary<Command.PlayToAll> = fc
  .record({ sources: arbSources(1), loop: fc.boolean(), interrupt: fc.boolean(), o: arbOptions })
  .map(({ o, ...r }) => ({ _tag: 'PlayToAll', ...r, ...o }))

const arbPlayTo: fc.Arbitrary<Command.PlayTo> = fc
  .record({
    sources: arbSources(1),
    targets: fc.oneof(
      { weight: 12, arbitrary: fc.array(arbParty, { minLength: 1, maxLength: 2 }) },
      { weight: 1, arbitrary: fc.constant([] as Array<Identifier>) },
    ),
    loop: fc.boolean(),
    interrupt: fc.boolean(),
    o: arbOptions,
  })
  .map(({ o, ...r }) => ({ _tag: 'PlayTo', ...r, ...o }))

/** Mostly a valid value, sometimes an invalid one. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: T): fc.Arbitrary<T> =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(invalid) })

const arbRecognize: fc.Arbitrary<Command.Recognize> = fc
  .record({
    inputType: fc.constantFrom<Command.RecognizeInputType>(
      'dtmf',
      'choices',
      'speech',
      'speechOrDtmf',
    ),
    target: arbParty,
    prompts: fc.oneof(
      { weight: 2, arbitrary: fc.constant([] as ReadonlyArray<PlaySource.PlaySource>) },
      { weight: 1, arbitrary: arbSources(1) },
    ),
    interruptPrompt: fc.boolean(),
    initialSilenceTimeoutMs: mostly(fc.constantFrom(0, 5_000, 10_000, 20_000), 400_000),
    dtmf: fc.option(
      fc.record({
        interToneTimeoutMs: mostly(fc.constantFrom(2_000, 5_000), 500),
        maxTonesToCollect: mostly(fc.constantFrom(1, 3, 5), 0),
        stopTones: fc.subarray<Tone>(['pound', 'asterisk']),
      }),
      { nil: undefined },
    ),
    choices: fc.option(
      fc.constantFrom(choices, choices, choices, [] as ReadonlyArray<Command.Choice>),
      {
        nil: undefined,
      },
    ),
    interrupt: fc.boolean(),
    o: arbOptions,
  })
  .map(({ o, dtmf, choices, ...r }) => ({
    _tag: 'Recognize',
    ...r,
    ...(dtmf !== undefined ? { dtmf } : {}),
    ...(choices !== undefined ? { choices } : {}),
    ...o,
  }))

const arbSendDtmf: fc.Arbitrary<Command.SendDtmfTones> = fc
  .record({ target: arbParty, tones: arbTones, o: arbOptions })
  .map(({ o, ...r }) => ({ _tag: 'SendDtmfTones', ...r, ...o }))

const withTarget = <T extends 'StartContinuousDtmfRecognition' | 'StopContinuousDtmfRecognition'>(
  tag: T,
) =>
  fc
    .record({ target: arbParty, o: arbOptions })
    .map(({ target, o }) => ({ _tag: tag, target, ...o }))

const invitationIds = ['inv-1', 'inv-2', 'inv-3'].map(Ids.unsafe.invitationId)

const arbOther: fc.Arbitrary<Command.Command> = fc.oneof(
  fc
    .record({
      target: arbParty,
      music: fc.option(arbPlaySource, { nil: undefined }),
      o: arbOptions,
    })
    .map(({ target, music, o }): Command.Hold => ({
      _tag: 'Hold',
      target,
      ...(music !== undefined ? { playSource: music } : {}),
      ...o,
    })),
  fc
    .record({ target: arbParty, o: arbOptions })
    .map(({ target, o }): Command.Unhold => ({ _tag: 'Unhold', target, ...o })),
  fc.constant<Command.CancelAllMediaOperations>({ _tag: 'CancelAllMediaOperations' }),
  arbOptions.map((o): Command.StartMediaStreaming => ({ _tag: 'StartMediaStreaming', ...o })),
  arbOptions.map((o): Command.StopMediaStreaming => ({ _tag: 'StopMediaStreaming', ...o })),
  fc
    .record({ locale: fc.option(fc.constant('fr-FR'), { nil: undefined }), o: arbOptions })
    .map(({ locale, o }): Command.StartTranscription => ({
      _tag: 'StartTranscription',
      ...(locale !== undefined ? { locale } : {}),
      ...o,
    })),
  arbOptions.map((o): Command.StopTranscription => ({ _tag: 'StopTranscription', ...o })),
  fc
    .record({ locale: fc.option(fc.constant('de-DE'), { nil: undefined }), o: arbOptions })
    .map(({ locale, o }): Command.UpdateTranscription => ({
      _tag: 'UpdateTranscription',
      ...(locale !== undefined ? { locale } : {}),
      ...o,
    })),
  fc
    .record({
      participant: fc.oneof(arbParty, fc.constantFrom(pstn(5), acs(5), app)),
      invitationId: fc.constantFrom(...invitationIds),
      invitationTimeoutMs: fc.constantFrom(0, 10_000, 30_000, 200_000),
      o: arbOptions,
    })
    .map(({ o, ...r }): Command.AddParticipant => ({ _tag: 'AddParticipant', ...r, ...o })),
  fc
    .record({ participant: arbParty, o: arbOptions })
    .map(({ participant, o }): Command.RemoveParticipant => ({
      _tag: 'RemoveParticipant',
      participant,
      ...o,
    })),
  fc
    .record({ invitationId: fc.constantFrom(...invitationIds), o: arbOptions })
    .map(({ invitationId, o }): Command.CancelAddParticipant => ({
      _tag: 'CancelAddParticipant',
      invitationId,
      ...o,
    })),
  fc
    .record({ participant: arbParty, o: arbOptions })
    .map(({ participant, o }): Command.MuteParticipant => ({
      _tag: 'MuteParticipant',
      participant,
      ...o,
    })),
  fc
    .record({
      target: fc.oneof(arbParty, fc.constant(pstn(7))),
      transferee: fc.option(arbParty, { nil: undefined }),
      o: arbOptions,
    })
    .map(({ target, transferee, o }): Command.TransferToParticipant => ({
      _tag: 'TransferToParticipant',
      target,
      ...(transferee !== undefined ? { transferee } : {}),
      ...o,
    })),
)

const arbHangUp: fc.Arbitrary<Command.HangUp> = fc
  .boolean()
  .map((forEveryone) => ({ _tag: 'HangUp', forEveryone }))

/** Every command variant, the media ones (the subject of the table) more often. */
export const arbCommand: fc.Arbitrary<Command.Command> = fc.oneof(
  { weight: 4, arbitrary: arbPlayToAll },
  { weight: 4, arbitrary: arbPlayTo },
  { weight: 4, arbitrary: arbRecognize },
  { weight: 4, arbitrary: arbSendDtmf },
  { weight: 2, arbitrary: withTarget('StartContinuousDtmfRecognition') },
  { weight: 1, arbitrary: withTarget('StopContinuousDtmfRecognition') },
  { weight: 4, arbitrary: arbOther },
  { weight: 1, arbitrary: arbHangUp },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<'CreateCall' | 'AnswerCall'>('CreateCall', 'AnswerCall')
      .map((tag): Command.Command =>
        tag === 'CreateCall'
          ? createCall([pstn(1)], {})
          : { ...setup({}), _tag: 'AnswerCall', caller: pstn(2), answeredBy: app },
      ),
  },
)

interface SetupOptions {
  readonly streaming?: boolean
  readonly transcription?: boolean
}

const setup = (o: SetupOptions): Command.CallSetup => ({
  callConnectionId: Ids.unsafe.callConnectionId('call-1'),
  serverCallId: Ids.unsafe.serverCallId('server-1'),
  correlationId: Ids.unsafe.correlationId('corr-1'),
  callbackUri: 'https://app.example/callback',
  ...(o.streaming !== undefined
    ? {
        mediaStreaming: {
          transportUrl: 'wss://app.example/media',
          audioChannelType: 'mixed',
          audioFormat: 'pcm16KMono',
          startMediaStreaming: o.streaming,
          enableBidirectional: false,
          enableDtmfTones: false,
        },
      }
    : {}),
  ...(o.transcription !== undefined
    ? {
        transcription: {
          transportUrl: 'wss://app.example/transcription',
          locale: 'en-US',
          startTranscription: o.transcription,
          enableIntermediateResults: false,
        },
      }
    : {}),
})

export const createCall = (
  targets: ReadonlyArray<Identifier>,
  o: SetupOptions,
): Command.CreateCall => ({ ...setup(o), _tag: 'CreateCall', source: app, targets })

// ------------------------------------------------------------------ signals, resolved late

/** Which operation a signal is about: a live one, any id ever minted, or a bogus one. */
export type OpRef =
  | { readonly _tag: 'Live'; readonly k: number }
  | { readonly _tag: 'Minted'; readonly k: number }
  | { readonly _tag: 'Bogus'; readonly id: string }

const arbOpRef: fc.Arbitrary<OpRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(50).map((k) => ({ _tag: 'Live' as const, k })) },
  { weight: 2, arbitrary: fc.nat(50).map((k) => ({ _tag: 'Minted' as const, k })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('op-999', 'op-0', 'op-x', '')
      .map((id) => ({ _tag: 'Bogus' as const, id })),
  },
)

export type Press = 'next' | 'repeat' | 'stale'

export type SignalSpec =
  | { readonly _tag: 'PartyAnswered' | 'PartyHungUp'; readonly who: Identifier }
  | {
      readonly _tag: 'PartyDeclined'
      readonly who: Identifier
      readonly reason: Signal.DeclineReason
    }
  | { readonly _tag: 'CallEstablished' }
  | {
      readonly _tag:
        | 'TransferAccepted'
        | 'TransferFailed'
        | 'PlaybackFinished'
        | 'TonesSent'
        | 'TonesFailed'
        | 'MediaStreamConnected'
        | 'TranscriptionConnected'
      readonly op: OpRef
    }
  | { readonly _tag: 'MediaStreamFailed' | 'TranscriptionFailed'; readonly op: OpRef }
  | { readonly _tag: 'PlaybackStarted'; readonly op: OpRef; readonly durationMs: number | null }
  | {
      readonly _tag: 'PlaybackFailed'
      readonly op: OpRef
      readonly reason: Signal.PlaybackFailure
      readonly sourceIndex: number
    }
  | {
      readonly _tag: 'TonePressed'
      readonly who: Identifier
      readonly tone: Tone
      readonly press: Press
    }
  | {
      readonly _tag: 'SpeechRecognized'
      readonly who: Identifier
      readonly text: string
      readonly confidence: number
      readonly press: Press
    }
  | {
      readonly _tag: 'HoldMusicFailed'
      readonly who: Identifier
      readonly reason: Signal.PlaybackFailure
    }

const arbPress: fc.Arbitrary<Press> = fc.constantFrom<Press>(
  'next',
  'next',
  'next',
  'repeat',
  'stale',
)
const arbFailure = fc.constantFrom<Signal.PlaybackFailure>(
  'fileDownload',
  'fileFormat',
  'speechService',
  'unknown',
)

const arbTonePressedSpec: fc.Arbitrary<SignalSpec> = fc.record({
  _tag: fc.constant('TonePressed' as const),
  who: arbListened,
  tone: arbTone,
  press: arbPress,
})

const arbSpeechSpec: fc.Arbitrary<SignalSpec> = fc.record({
  _tag: fc.constant('SpeechRecognized' as const),
  who: arbListened,
  text: fc.constantFrom('yes', 'Nope!', 'maybe', 'hello world'),
  confidence: fc.constantFrom(0.2, 0.9, 1.5),
  press: arbPress,
})

export const arbSignalSpec: fc.Arbitrary<SignalSpec> = fc.oneof(
  { weight: 3, arbitrary: arbInvited.map((who) => ({ _tag: 'PartyAnswered' as const, who })) },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant('PartyDeclined' as const),
      who: arbInvited,
      reason: fc.constantFrom<Signal.DeclineReason>('declined', 'busy', 'noAnswer', 'unavailable'),
    }),
  },
  { weight: 1, arbitrary: arbParty.map((who) => ({ _tag: 'PartyHungUp' as const, who })) },
  { weight: 1, arbitrary: fc.constant({ _tag: 'CallEstablished' as const }) },
  {
    weight: 12,
    arbitrary: fc.record({
      _tag: fc.constantFrom(
        'PlaybackFinished' as const,
        'TonesSent' as const,
        'TonesFailed' as const,
        'PlaybackFinished' as const,
        'TonesSent' as const,
        'TransferAccepted' as const,
        'TransferFailed' as const,
        'MediaStreamConnected' as const,
        'TranscriptionConnected' as const,
        'MediaStreamFailed' as const,
        'TranscriptionFailed' as const,
      ),
      op: arbOpRef,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      _tag: fc.constant('PlaybackStarted' as const),
      op: arbOpRef,
      durationMs: fc.option(fc.constantFrom(0, 1_000, 8_000, 60_000), { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant('PlaybackFailed' as const),
      op: arbOpRef,
      reason: arbFailure,
      sourceIndex: fc.constantFrom(0, 1, -1),
    }),
  },
  { weight: 8, arbitrary: arbTonePressedSpec },
  { weight: 4, arbitrary: arbSpeechSpec },

  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant('HoldMusicFailed' as const),
      who: arbParty,
      reason: arbFailure,
    }),
  },
)

/** Every operation id the state holds live: lanes, continuous recognitions, sessions, transfer. */
export const liveIds = (state: State.State): ReadonlyArray<string> => {
  const ids: Array<string> = []
  for (const op of state.main) ids.push(op.id)
  if (state.sub !== null) ids.push(state.sub.id)
  for (const c of state.continuous) ids.push(c.id)
  if (state.streaming._tag !== 'Off') ids.push(state.streaming.id)
  if (state.transcription._tag !== 'Off') ids.push(state.transcription.id)
  if (state.transfer !== null) ids.push(state.transfer.id)
  return ids
}

/** Media signals are mostly about the lanes' operations, session signals about sessions. */
type Family = 'lanes' | 'sessions'

const resolveOp = (state: State.State, ref: OpRef, family: Family) => {
  const minted = state.nextOperation - 1
  if (ref._tag === 'Bogus') return Ids.unsafe.operationId(ref.id)
  const lanes = [...state.main.slice(0, 1), ...(state.sub === null ? [] : [state.sub])].map(
    (op) => op.id,
  )
  const live = family === 'lanes' && lanes.length > 0 && ref.k % 4 !== 0 ? lanes : liveIds(state)
  if (ref._tag === 'Live' && live.length > 0)
    return Ids.unsafe.operationId(live[ref.k % live.length]!)
  return Ids.operationId(minted <= 0 ? 1 : (ref.k % minted) + 1)
}

/** The runner's memory of press and speech ids, per party (the media plane's, not the core's). */
export type Counters = Map<string, number>

const nextId = (counters: Counters, key: string, press: Press): number => {
  const last = counters.get(key) ?? 0
  if (press === 'repeat' && last > 0) return last
  if (press === 'stale' && last > 1) return last - 1
  counters.set(key, last + 1)
  return last + 1
}

export const resolveSignal = (
  state: State.State,
  spec: SignalSpec,
  counters: Counters,
): Signal.Signal => {
  switch (spec._tag) {
    case 'PartyAnswered':
    case 'PartyHungUp':
      return { _tag: spec._tag, participant: spec.who }
    case 'PartyDeclined':
      return { _tag: 'PartyDeclined', participant: spec.who, reason: spec.reason }
    case 'CallEstablished':
      return { _tag: 'CallEstablished' }
    case 'PlaybackFinished':
    case 'TonesSent':
    case 'TonesFailed':
      return { _tag: spec._tag, operationId: resolveOp(state, spec.op, 'lanes') }
    case 'TransferAccepted':
    case 'TransferFailed':
    case 'MediaStreamConnected':
    case 'TranscriptionConnected':
      return { _tag: spec._tag, operationId: resolveOp(state, spec.op, 'sessions') }
    case 'MediaStreamFailed':
    case 'TranscriptionFailed':
      return {
        _tag: spec._tag,
        operationId: resolveOp(state, spec.op, 'sessions'),
        reason: 'socket closed',
      }
    case 'PlaybackStarted':
      return {
        _tag: 'PlaybackStarted',
        operationId: resolveOp(state, spec.op, 'lanes'),
        durationMs: spec.durationMs,
      }
    case 'PlaybackFailed':
      return {
        _tag: 'PlaybackFailed',
        operationId: resolveOp(state, spec.op, 'lanes'),
        reason: spec.reason,
        sourceIndex: spec.sourceIndex,
      }
    case 'TonePressed':
      return {
        _tag: 'TonePressed',
        participant: spec.who,
        tone: spec.tone,
        pressId: nextId(counters, `press:${Identifier.rawId(spec.who)}`, spec.press),
      }
    case 'SpeechRecognized':
      return {
        _tag: 'SpeechRecognized',
        participant: spec.who,
        text: spec.text,
        confidence: spec.confidence,
        speechId: nextId(counters, `speech:${Identifier.rawId(spec.who)}`, spec.press),
      }
    case 'HoldMusicFailed':
      return { _tag: 'HoldMusicFailed', participant: spec.who, reason: spec.reason }
  }
}

// ------------------------------------------------------------------ scenarios

export type StepSpec =
  | { readonly _tag: 'Command'; readonly command: Command.Command; readonly dt: number }
  | { readonly _tag: 'Signal'; readonly signal: SignalSpec; readonly dt: number }
  | { readonly _tag: 'Advance'; readonly dt: number }

const arbDt = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 500 }) },
  { weight: 1, arbitrary: fc.constant(0) },
)

const arbAdvance = fc.oneof(
  fc.integer({ min: 0, max: 2_000 }),
  fc.integer({ min: 2_000, max: 12_000 }),
  fc.constantFrom(30_000, 31_000, 65_000),
)

export const arbStep: fc.Arbitrary<StepSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ _tag: fc.constant('Command' as const), command: arbCommand, dt: arbDt }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      _tag: fc.constant('Signal' as const),
      signal: arbSignalSpec,
      dt: arbDt,
    }),
  },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant('Advance' as const), dt: arbAdvance }) },
)

/** Steps around recognition: recognizes asked for, keys pressed, words said, a little time. */
const arbInputStep: fc.Arbitrary<StepSpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constant('Command' as const),
      command: arbRecognize,
      dt: arbDt,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      _tag: fc.constant('Signal' as const),
      signal: fc.oneof(arbTonePressedSpec, arbSpeechSpec),
      dt: arbDt,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant('Command' as const),
      command: withTarget('StartContinuousDtmfRecognition'),
      dt: arbDt,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant('Advance' as const),
      dt: fc.integer({ min: 0, max: 3_000 }),
    }),
  },
)

export interface Scenario {
  /** Mostly an outbound call (CreateCall); sometimes an answered inbound one (AnswerCall). */
  readonly create: Command.CreateCall | Command.AnswerCall
  /**
   * Outbound: what each target does first (answer, decline, or nothing: it rings until it times
   * out). Inbound: the application's leg is established, or not yet.
   */
  readonly pickups: ReadonlyArray<SignalSpec>
  readonly steps: ReadonlyArray<StepSpec>
  readonly hangUpForEveryone: boolean
}

const arbTargets: fc.Arbitrary<ReadonlyArray<Identifier>> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.uniqueArray(fc.constantFrom(...callable), { minLength: 1, maxLength: 3 }),
  },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...callable), { minLength: 0, maxLength: 2 })
      .map((ts) => [...ts, teams]),
  },
)

export const arbScenario = (options: { readonly maxSteps?: number } = {}): fc.Arbitrary<Scenario> =>
  fc
    .record({
      targets: arbTargets,
      streaming: fc.option(fc.boolean(), { nil: undefined }),
      transcription: fc.option(fc.boolean(), { nil: undefined }),
      answers: fc.array(
        fc.constantFrom<'answer' | 'decline' | 'ring'>(
          'answer',
          'answer',
          'answer',
          'decline',
          'ring',
        ),
        { minLength: 3, maxLength: 3 },
      ),
      steps: fc.oneof(
        // mixed: everything may happen
        {
          weight: 2,
          arbitrary: fc.array(arbStep, { maxLength: options.maxSteps ?? 50, size: 'max' }),
        },
        // focused on recognition: queues of recognizes fed with keys and speech
        {
          weight: 1,
          arbitrary: fc.array(
            fc.oneof({ weight: 1, arbitrary: arbStep }, { weight: 3, arbitrary: arbInputStep }),
            { maxLength: options.maxSteps ?? 50, size: 'max' },
          ),
        },
      ),
      hangUpForEveryone: fc.boolean(),
      inbound: fc.constantFrom(false, false, false, false, false, true),
    })
    .map(({ targets, streaming, transcription, answers, steps, hangUpForEveryone, inbound }) => {
      const o: SetupOptions = {
        ...(streaming !== undefined ? { streaming } : {}),
        ...(transcription !== undefined ? { transcription } : {}),
      }
      const caller = targets[0]!
      return {
        create: inbound
          ? { ...setup(o), _tag: 'AnswerCall' as const, caller, answeredBy: app }
          : createCall(targets, o),
        pickups: inbound
          ? answers[0] === 'ring'
            ? []
            : [{ _tag: 'CallEstablished' as const }]
          : targets.flatMap((who, i): ReadonlyArray<SignalSpec> => {
              const a = answers[i] ?? 'answer'
              if (a === 'answer') return [{ _tag: 'PartyAnswered', who }]
              if (a === 'decline') return [{ _tag: 'PartyDeclined', who, reason: 'busy' }]
              return []
            }),
        steps,
        hangUpForEveryone,
      }
    })

// ------------------------------------------------------------------ the runner

export type Input =
  | { readonly _tag: 'Decide'; readonly command: Command.Command }
  | { readonly _tag: 'Observe'; readonly signal: Signal.Signal }
  | { readonly _tag: 'Expire' }

export interface Step {
  readonly input: Input
  readonly now: InstantT.Instant
  readonly before: State.State
  readonly after: State.State
  /** The decision, or null when `decide` refused. */
  readonly decision: Decision.Decision | null
  readonly rejection: Rejection.Rejection | null
}

export interface Trace {
  readonly steps: ReadonlyArray<Step>
  /** Every event of every decision, in order. */
  readonly events: ReadonlyArray<Event.Event>
  readonly final: State.State
}

/** Freezes a value deeply, so that any mutation of the core's inputs throws. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

/** Folds a decision's events into `state` one `evolve` at a time (the state carried along). */
const carry = (state: State.State, decision: Decision.Decision): State.State => {
  let s = state
  for (const e of decision.events) s = evolve(s, e)
  return s
}

/**
 * Plays a scenario: create, pickups, steps, then a final HangUp (so that everything terminates).
 * Every state handed to the core is deeply frozen.
 */
export const run = (scenario: Scenario): Trace => {
  const steps: Array<Step> = []
  const events: Array<Event.Event> = []
  const counters: Counters = new Map()
  let state: State.State = deepFreeze(initial)
  let now = 1_000_000

  const apply = (input: Input): void => {
    const at = Instant.fromMillis(now)
    deepFreeze(input)
    let decision: Decision.Decision | null
    let rejection: Rejection.Rejection | null = null
    if (input._tag === 'Decide') {
      const r: Either<Rejection.Rejection, Decision.Decision> = decide(state, input.command, {
        now: at,
      })
      if (r._tag === 'Left') {
        decision = null
        rejection = r.left
      } else decision = r.right
    } else if (input._tag === 'Observe') decision = observe(state, input.signal, { now: at })
    else decision = expire(state, at)
    const after = decision === null ? state : deepFreeze(carry(state, decision))
    if (decision !== null) events.push(...decision.events)
    steps.push({ input, now: at, before: state, after, decision, rejection })
    state = after
  }

  apply({ _tag: 'Decide', command: scenario.create })
  for (const p of scenario.pickups) {
    now += 100
    apply({ _tag: 'Observe', signal: resolveSignal(state, p, counters) })
  }
  let afterEnd = 0
  for (const s of scenario.steps) {
    // a few steps after the call ended are enough to see that nothing happens any more
    if (state.status === 'none' || state.status === 'disconnected') afterEnd++
    if (afterEnd > 3) break
    now += s.dt
    if (s._tag === 'Command') apply({ _tag: 'Decide', command: resolveParties(state, s.command) })
    else if (s._tag === 'Signal')
      apply({
        _tag: 'Observe',
        signal: resolveSignal(state, resolveParties(state, s.signal), counters),
      })
    else apply({ _tag: 'Expire' })
  }
  now += 1
  apply({ _tag: 'Decide', command: { _tag: 'HangUp', forEveryone: scenario.hangUpForEveryone } })
  return { steps, events, final: state }
}

// ------------------------------------------------------------------ garbage

const knownCommandTags = [
  'CreateCall',
  'AnswerCall',
  'HangUp',
  'AddParticipant',
  'RemoveParticipant',
  'CancelAddParticipant',
  'MuteParticipant',
  'TransferToParticipant',
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
] as const

const knownSignalTags = [
  'PartyAnswered',
  'PartyDeclined',
  'PartyHungUp',
  'CallEstablished',
  'TransferAccepted',
  'TransferFailed',
  'PlaybackStarted',
  'PlaybackFinished',
  'PlaybackFailed',
  'TonesSent',
  'TonesFailed',
  'TonePressed',
  'SpeechRecognized',
  'HoldMusicFailed',
  'MediaStreamConnected',
  'MediaStreamFailed',
  'TranscriptionConnected',
  'TranscriptionFailed',
] as const

export const knownEventTags = [
  'CallCreated',
  'InvitationSent',
  'InvitationEnded',
  'OperationAccepted',
  'OperationStarted',
  'RecognizePromptStarted',
  'RecognizePromptFinished',
  'ToneObserved',
  'RecognizeToneCollected',
  'ContinuousDtmfRecognitionStarted',
  'HoldStarted',
  'HoldEnded',
  'MediaStreamingRequested',
  'TranscriptionRequested',
  'TransferRequested',
  ...Event.callbackTags,
] as const

/** A field value that is wrong in some way: missing, null, of another type, or half right. */
const arbJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(null, undefined, NaN, -1, '', [], {}, [null], { _tag: 'Nope' }),
  arbParty,
  arbTone,
  fc.constantFrom('op-1', 'op-2', 'inv-1'),
)

/** Objects with a known `_tag` and arbitrary (often missing or wrong) fields. */
const taggedGarbage = (tags: ReadonlyArray<string>, fields: ReadonlyArray<string>) =>
  fc
    .record({
      _tag: fc.constantFrom(...tags),
      fields: fc.dictionary(fc.constantFrom(...fields), arbJunk, { maxKeys: 6 }),
    })
    .map(({ _tag, fields }) => ({ ...fields, _tag }))

const commandFields = [
  'targets',
  'target',
  'sources',
  'prompts',
  'tones',
  'participant',
  'inputType',
  'dtmf',
  'choices',
  'initialSilenceTimeoutMs',
  'invitationId',
  'invitationTimeoutMs',
  'callbackUri',
  'source',
  'caller',
  'answeredBy',
  'playSource',
  'interrupt',
  'loop',
  'locale',
  'transferee',
  'operationContext',
]

/** Garbage typed as a command: anything at all, or a known tag with wrong fields. */
export const arbGarbageCommand: fc.Arbitrary<Command.Command> = fc
  .oneof(fc.anything(), taggedGarbage(knownCommandTags, commandFields))
  .map((u) => u as Command.Command)

const signalFields = [
  'participant',
  'operationId',
  'durationMs',
  'reason',
  'sourceIndex',
  'tone',
  'pressId',
  'text',
  'confidence',
  'speechId',
]

export const arbGarbageSignal: fc.Arbitrary<Signal.Signal> = fc
  .oneof(fc.anything(), taggedGarbage(knownSignalTags, signalFields))
  .map((u) => u as Signal.Signal)

const eventFields = [
  'at',
  'operation',
  'operationId',
  'participant',
  'participants',
  'parties',
  'direction',
  'sequenceNumber',
  'sequenceId',
  'tone',
  'pressId',
  'invitationId',
  'deadline',
  'durationMs',
  'locale',
  'operationContext',
  'resultInformation',
  'target',
  'callbackUri',
  'app',
]

/** Events with known tags and missing or wrong fields (ingested or corrupted data). */
export const arbGarbageEvent: fc.Arbitrary<Event.Event> = fc
  .oneof(
    { weight: 4, arbitrary: taggedGarbage(knownEventTags, eventFields) },
    { weight: 1, arbitrary: fc.anything() },
  )
  .map((u) => u as Event.Event)
