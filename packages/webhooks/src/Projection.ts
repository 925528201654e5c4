import type { Identifier, Instruction, Operation, ResultInformation } from '@switchboard/core'
import { Event, Identifier as Id, initial, evolve, State, ToneSequence } from '@switchboard/core'

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
  // the operations' own terminal events, as the core defines them
  ...Event.terminalTags,
  // and the outcomes of participant and transfer operations, continuous recognition and hold
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

/**
 * A fold under way: the core state and the rest of the view, with the last entry folded, so
 * entries that sort after it can be added without folding the call again.
 *
 * The lists grow in place: a fold's `finished`, `tones` and `sequences` are the first
 * `finishedCount`, `tonesCount` and `sequencesCount` elements of arrays that a later fold
 * extending it may have pushed to (so adding an entry costs no copy of the call's lists; a fold
 * extended twice copies its part first).
 */
export interface Fold {
  readonly entries: number
  readonly last: Entry | null
  readonly seeded: boolean
  readonly firstCall: Instruction.CallRef | null
  readonly state: State.State
  readonly finished: ReadonlyArray<Finished>
  readonly finishedCount: number
  readonly tones: ReadonlyArray<ToneSequence.Received>
  readonly tonesCount: number
  readonly sequences: ReadonlyArray<number>
  readonly sequencesCount: number
  readonly streamingLast?: Event.MediaStreamingUpdate
  readonly transcriptionLast?: Event.TranscriptionUpdate
  readonly callbacks: number
}

export const empty: Fold = {
  entries: 0,
  last: null,
  seeded: false,
  firstCall: null,
  state: initial,
  finished: [],
  finishedCount: 0,
  tones: [],
  tonesCount: 0,
  sequences: [],
  sequencesCount: 0,
  callbacks: 0,
}

/** A fold's part of a shared list, to push to: the array itself when nothing was pushed after it. */
const tail = <A>(xs: ReadonlyArray<A>, count: number): Array<A> =>
  count === 0 ? [] : xs.length === count ? (xs as Array<A>) : xs.slice(0, count)

const createsCall = (e: Entry): boolean =>
  e.kind === 'command' && e.events.some((x) => x._tag === 'CallCreated')

/** Folds entries given in canonical order, each id once, into `from` (mutable copies inside). */
const run = (from: Fold, sorted: ReadonlyArray<Entry>, seedAllowed: boolean): Fold => {
  let state = from.state
  let seeded = from.seeded
  let firstCall = from.firstCall
  let callbacks = from.callbacks
  let streamingLast = from.streamingLast
  let transcriptionLast = from.transcriptionLast
  const finished = tail(from.finished, from.finishedCount)
  const tones = tail(from.tones, from.tonesCount)
  const sequences = tail(from.sequences, from.sequencesCount)
  for (const entry of sorted) {
    if (entry.kind === 'unknown') continue
    if (entry.kind === 'command') {
      for (const e of entry.events) state = evolve(state, e)
      continue
    }
    if (firstCall === null) {
      firstCall = entry.call
      if (seedAllowed && state.call === null) {
        state = evolve(state, seed(entry.call, entry.ms))
        seeded = true
      }
    }
    const e = entry.event
    callbacks++
    if (entry.sequence !== undefined) sequences.push(entry.sequence)
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
  return {
    entries: from.entries + sorted.length,
    last: sorted.length > 0 ? sorted[sorted.length - 1]! : from.last,
    seeded,
    firstCall,
    state,
    finished,
    finishedCount: finished.length,
    tones,
    tonesCount: tones.length,
    sequences,
    sequencesCount: sequences.length,
    ...(streamingLast !== undefined ? { streamingLast } : {}),
    ...(transcriptionLast !== undefined ? { transcriptionLast } : {}),
    callbacks,
  }
}

const canonical = (entries: ReadonlyArray<Entry>): Array<Entry> => {
  if (entries.length <= 1) return entries.slice()
  const byId = new Map<string, Entry>()
  for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, e)
  return [...byId.values()].sort(compare)
}

/** Folds a call's entries (any order, duplicates allowed). */
export const foldAll = (entries: ReadonlyArray<Entry>): Fold => {
  const sorted = canonical(entries)
  // a call known only from callbacks starts from a placeholder CallCreated
  return run(empty, sorted, !sorted.some(createsCall))
}

/**
 * Adds entries (new ids) to a fold when they all sort after its last entry and change nothing
 * that was decided at the start (the placeholder); otherwise null: fold the call again.
 */
export const extend = (fold: Fold, fresh: ReadonlyArray<Entry>): Fold | null => {
  const sorted = canonical(fresh)
  if (sorted.length === 0) return fold
  if (fold.last !== null && compare(sorted[0]!, fold.last) <= 0) return null
  if (fold.seeded && sorted.some(createsCall)) return null
  if (fold.firstCall === null && fold.entries > 0) return null
  return run(fold, sorted, fold.entries === 0 && !sorted.some(createsCall))
}

/** The view of a fold; null when the call is unknown (no callback and no recorded call). */
export const view = (f: Fold): View | null => {
  const state = f.state
  const call = state.call ?? f.firstCall
  if (call === null) return null
  const seen = new Set(f.sequences.slice(0, f.sequencesCount))
  const missingSequences: Array<number> = []
  let top = 0
  for (const s of seen) if (s > top) top = s
  for (let s = 1; s < top; s++) if (!seen.has(s)) missingSequences.push(s)
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
      finished: f.finished.slice(0, f.finishedCount),
    },
    participants: state.participants.map((p) => ({
      rawId: Id.rawId(p.identifier),
      identifier: p.identifier,
      isMuted: p.isMuted,
      isOnHold: p.isOnHold,
    })),
    dtmf: ToneSequence.rebuild(f.tones.slice(0, f.tonesCount)),
    streaming: {
      status: state.streaming._tag,
      ...(f.streamingLast !== undefined ? { last: f.streamingLast } : {}),
    },
    transcription: {
      status: state.transcription._tag,
      ...(f.transcriptionLast !== undefined ? { last: f.transcriptionLast } : {}),
    },
    callbacks: f.callbacks,
    missingSequences,
  }
}

/** Folds a call's entries (any order, duplicates allowed) into its view. */
export const fold = (entries: ReadonlyArray<Entry>): View | null => view(foldAll(entries))
