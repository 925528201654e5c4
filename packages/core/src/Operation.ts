import * as Timing from './Timing.js'
import type { Choice, DtmfOptions, RecognizeInputType } from './Command.js'
import type { OperationId } from './Ids.js'
import type { Identifier } from './Identifier.js'
import type { Instant, Millis } from './Instant.js'
import type { PlaySource } from './PlaySource.js'
import type { Tone } from './Tone.js'

/**
 * An accepted play, recognize or SendDtmfTones, from acceptance to its terminal event.
 *
 * Phases: `queued` (waiting in the main lane), `starting` (audio requested from the media plane),
 * `playing` (audio of the play or of the recognize prompt is playing), `listening` (a recognize
 * collects input), `sending` (DTMF tones are being sent).
 */
export type Kind = 'PlayToAll' | 'PlayTo' | 'RecognizeNonGroup' | 'RecognizeGroup' | 'SendDtmf'
export type Phase = 'queued' | 'starting' | 'playing' | 'listening' | 'sending'

export interface PlaySpec {
  readonly _tag: 'Play'
  readonly sources: ReadonlyArray<PlaySource>
  /** Empty: everyone in the call. */
  readonly targets: ReadonlyArray<Identifier>
  readonly loop: boolean
}

export interface RecognizeSpec {
  readonly _tag: 'Recognize'
  readonly inputType: RecognizeInputType
  readonly target: Identifier
  readonly prompts: ReadonlyArray<PlaySource>
  readonly interruptPrompt: boolean
  readonly initialSilenceTimeoutMs: Millis
  readonly dtmf: DtmfOptions
  readonly choices: ReadonlyArray<Choice>
  readonly speechLanguage?: string
}

export interface DtmfSpec {
  readonly _tag: 'Dtmf'
  readonly target: Identifier
  readonly tones: ReadonlyArray<Tone>
}

export interface Operation {
  readonly id: OperationId
  readonly kind: Kind
  readonly phase: Phase
  /** When the operation's current phase times out; null when nothing is due. */
  readonly deadline: Instant | null
  readonly operationContext?: string
  /** Where its callbacks go: the operation's callback URI, or the call's. */
  readonly callbackUri: string
  readonly spec: PlaySpec | RecognizeSpec | DtmfSpec
  /** Tones a recognize collected so far. */
  readonly collected: ReadonlyArray<Tone>
}

/** The lane an operation kind runs in (see `Rules.lane`). */
export const lane = (kind: Kind): 'main' | 'sub' =>
  kind === 'PlayToAll' || kind === 'RecognizeNonGroup' ? 'main' : 'sub'

/** The participant a participant-specific operation addresses; null for plays. */
export const target = (op: Operation): Identifier | null =>
  op.spec._tag === 'Play' ? null : op.spec.target

export const isRecognize = (op: Operation): op is Operation & { readonly spec: RecognizeSpec } =>
  op.spec._tag === 'Recognize'
export const isPlay = (op: Operation): op is Operation & { readonly spec: PlaySpec } =>
  op.spec._tag === 'Play'

/**
 * The operation as it starts running at `at`: a play or prompted recognize asks for audio and
 * waits for the media plane to report it started; an unprompted recognize listens at once; a
 * SendDtmfTones sends.
 */
export const begin = (op: Operation, at: Instant): Operation => {
  switch (op.spec._tag) {
    case 'Play':
      return next(op, 'starting', (at + Timing.playbackStartTimeoutMs) as Instant)
    case 'Recognize':
      return op.spec.prompts.length > 0
        ? next(op, 'starting', (at + Timing.playbackStartTimeoutMs) as Instant)
        : next(op, 'listening', (at + op.spec.initialSilenceTimeoutMs) as Instant)
    case 'Dtmf':
      return next(
        op,
        'sending',
        (at + op.spec.tones.length * Timing.toneBudgetMs + Timing.dtmfGraceMs) as Instant,
      )
  }
}

/**
 * The operation in another phase, with another deadline (and, for a recognize, the tones
 * collected). Built field by field, in one order, so every operation shares one hidden class.
 */
export const next = (
  op: Operation,
  phase: Phase,
  deadline: Instant | null,
  collected: ReadonlyArray<Tone> = op.collected,
): Operation => {
  const fresh: { -readonly [K in keyof Operation]: Operation[K] } = {
    id: op.id,
    kind: op.kind,
    phase,
    deadline,
    callbackUri: op.callbackUri,
    spec: op.spec,
    collected,
  }
  if (op.operationContext !== undefined) fresh.operationContext = op.operationContext
  return fresh
}

/** The deadline of audio that started at `at` and lasts `durationMs` (none for a loop). */
export const playbackDeadline = (
  at: Instant,
  durationMs: Millis | null | undefined,
): Instant | null =>
  durationMs === null || durationMs === undefined
    ? null
    : ((at + durationMs + Timing.playbackGraceMs) as Instant)
