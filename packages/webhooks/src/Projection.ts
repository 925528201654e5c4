import type {
  Event,
  Identifier,
  Instruction,
  Operation,
  ResultInformation,
} from '@switchboard/core'
import { Identifier as Id, initial, evolve, State, ToneSequence } from '@switchboard/core'

/**
 * The picture of one call an app builds from the callbacks it received (and, optionally, the
 * commands it sent), folded by the core's `evolve`. Entries are folded in a canonical order
 * (time, then commands before callbacks, then the `sequence` extension, then the raw time
 * string, then the id), so the same set of callbacks gives the same projection whatever order
 * and however many times they arrived.
 */

/** One record of a call's log, as ingestion stores it. */
export type Entry =
  | {
      readonly kind: 'callback'
      /** The CloudEvent id. */
      readonly id: string
      /** The CloudEvent `time`, verbatim (ACS writes 7 fractional digits). */
      readonly time: string
      readonly ms: number
      readonly sequence?: number
      readonly call: Instruction.CallRef
      readonly event: Event.CallbackEvent
    }
  | {
      /** Events the core decided for a command the app sent (see `Ingestion.record`). */
      readonly kind: 'command'
      readonly id: string
      readonly ms: number
      readonly events: ReadonlyArray<Event.Event>
    }
  | {
      /** A CloudEvent of a type the core has no event for (kept for deduplication). */
      readonly kind: 'unknown'
      readonly id: string
      readonly ms: number
      readonly type: string
      readonly raw: unknown
    }

const rank = (e: Entry): number => (e.kind === 'command' ? 0 : e.kind === 'callback' ? 1 : 2)

export const compare = (a: Entry, b: Entry): number => {
  if (a.ms !== b.ms) return a.ms - b.ms
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  if (a.kind === 'callback' && b.kind === 'callback') {
    const sa = a.sequence ?? 0
    const sb = b.sequence ?? 0
    if (sa !== sb) return sa - sb
    if (a.time !== b.time) return a.time < b.time ? -1 : 1
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export interface Finished {
  readonly type: Event.CallbackEvent['_tag']
  readonly eventId: string
  readonly time: string
  readonly operationContext?: string
  readonly resultInformation?: ResultInformation.ResultInformation
}

export interface ParticipantView {
  readonly rawId: string
  readonly identifier: Identifier.Identifier
  readonly isMuted: boolean
  readonly isOnHold: boolean
}

export interface PendingView {
  readonly id: string
  readonly kind: Operation.Kind
  readonly phase: Operation.Phase
  readonly operationContext?: string
}

export interface View {
  readonly callConnectionId: string
  readonly serverCallId: string
  readonly correlationId: string
  readonly status: State.Status
  /** The core's state of the call: what `decide` works on (`wouldAccept`). */
  readonly state: State.State
  readonly operations: {
    /** Operations the app recorded (`record`) that have not ended. */
    readonly pending: ReadonlyArray<PendingView>
    /** Terminal operation callbacks (…Completed, …Failed, …Canceled, …Succeeded), in order. */
    readonly finished: ReadonlyArray<Finished>
  }
  readonly participants: ReadonlyArray<ParticipantView>
  /** Continuous DTMF: the keys in `sequenceId` order, the ids that never arrived. */
  readonly dtmf: ToneSequence.Rebuilt
  readonly streaming: {
    readonly status: 'Off' | 'Starting' | 'Active'
    readonly last?: Event.MediaStreamingUpdate
  }
  readonly transcription: {
    readonly status: 'Off' | 'Starting' | 'Active'
    readonly last?: Event.TranscriptionUpdate
  }
  /** Callback events folded (distinct ids). */
  readonly callbacks: number
  /** `sequence` values (Switchboard's extension) between 1 and the highest seen that never arrived. */
  readonly missingSequences: ReadonlyArray<number>
}

const terminal = new Set<string>([
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'SendDtmfTonesCompleted',
  'SendDtmfTonesFailed',
  'AddParticipantSucceeded',
  'AddParticipantFailed',
  'RemoveParticipantSucceeded',
  'RemoveParticipantFailed',
  'CancelAddParticipantSucceeded',
  'CancelAddParticipantFailed',
  'CallTransferAccepted',
  'CallTransferFailed',
  'ContinuousDtmfRecognitionStopped',
  'HoldFailed',
])

/** A CallCreated for a call the app only knows from callbacks (no `record`ed CreateCall/AnswerCall). */
const seed = (call: Instruction.CallRef, at: number): Event.Event =>
  ({
    _tag: 'CallCreated',
    at,
    direction: 'inbound',
    callConnectionId: call.callConnectionId,
    serverCallId: call.serverCallId,
    correlationId: call.correlationId,
    callbackUri: '',
    app: Id.unknown('application'),
    parties: [],
  }) as unknown as Event.Event

/** Folds a call's entries (any order, duplicates allowed) into its view. */
export const fold = (entries: ReadonlyArray<Entry>): View | null => {
  const byId = new Map<string, Entry>()
  for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, e)
  const sorted = [...byId.values()].sort(compare)
  const firstCall = sorted.find((e) => e.kind === 'callback')
  const created = sorted.some(
    (e) => e.kind === 'command' && e.events.some((x) => x._tag === 'CallCreated'),
  )
  let state: State.State = initial
  if (!created && firstCall !== undefined && firstCall.kind === 'callback')
    state = evolve(state, seed(firstCall.call, sorted[0]!.ms))
  const finished: Array<Finished> = []
  const tones: Array<ToneSequence.Received> = []
  const sequences = new Set<number>()
  let streamingLast: Event.MediaStreamingUpdate | undefined
  let transcriptionLast: Event.TranscriptionUpdate | undefined
  let callbacks = 0
  for (const entry of sorted) {
    if (entry.kind === 'unknown') continue
    if (entry.kind === 'command') {
      for (const e of entry.events) state = evolve(state, e)
      continue
    }
    const e = entry.event
    callbacks++
    if (entry.sequence !== undefined) sequences.add(entry.sequence)
    state = evolve(state, e)
    if (terminal.has(e._tag))
      finished.push({
        type: e._tag,
        eventId: entry.id,
        time: entry.time,
        ...('operationContext' in e && e.operationContext !== undefined
          ? { operationContext: e.operationContext }
          : {}),
        ...(e.resultInformation !== undefined ? { resultInformation: e.resultInformation } : {}),
      })
    if (e._tag === 'ContinuousDtmfRecognitionToneReceived')
      tones.push({ sequenceId: e.sequenceId, tone: e.tone })
    if ('mediaStreamingUpdate' in e) streamingLast = e.mediaStreamingUpdate
    if ('transcriptionUpdate' in e) transcriptionLast = e.transcriptionUpdate
  }
  const call = state.call ?? (firstCall?.kind === 'callback' ? firstCall.call : null)
  if (call === null) return null
  const missingSequences: Array<number> = []
  const top = sequences.size === 0 ? 0 : Math.max(...sequences)
  for (let s = 1; s < top; s++) if (!sequences.has(s)) missingSequences.push(s)
  return {
    callConnectionId: call.callConnectionId,
    serverCallId: call.serverCallId,
    correlationId: call.correlationId,
    status: state.status,
    state,
    operations: {
      pending: State.operations(state).map((op) => ({
        id: op.id,
        kind: op.kind,
        phase: op.phase,
        ...(op.operationContext !== undefined ? { operationContext: op.operationContext } : {}),
      })),
      finished,
    },
    participants: state.participants.map((p) => ({
      rawId: Id.rawId(p.identifier),
      identifier: p.identifier,
      isMuted: p.isMuted,
      isOnHold: p.isOnHold,
    })),
    dtmf: ToneSequence.rebuild(tones),
    streaming: {
      status: state.streaming._tag,
      ...(streamingLast !== undefined ? { last: streamingLast } : {}),
    },
    transcription: {
      status: state.transcription._tag,
      ...(transcriptionLast !== undefined ? { last: transcriptionLast } : {}),
    },
    callbacks,
    missingSequences,
  }
}
