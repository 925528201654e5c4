import type { MediaStreamingConfig, TranscriptionConfig } from './Command.js'
import type { Participant } from './Event.js'
import type {
  CallConnectionId,
  CorrelationId,
  InvitationId,
  OperationId,
  ServerCallId,
} from './Ids.js'
import type { Identifier, RawId } from './Identifier.js'
import { equals, hasRawId, rawId as rawOf } from './Identifier.js'
import type { Instant } from './Instant.js'
import type { Operation } from './Operation.js'
import type { PlaySource } from './PlaySource.js'

/**
 * The state of one call, folded from its events. Plain readonly data: safe to share, serialize
 * (JSON) and compare.
 */
export type Status = 'none' | 'connecting' | 'connected' | 'transferring' | 'disconnected'

export interface CallInfo {
  readonly callConnectionId: CallConnectionId
  readonly serverCallId: ServerCallId
  readonly correlationId: CorrelationId
  readonly direction: 'outbound' | 'inbound'
  readonly callbackUri: string
  readonly app: Identifier
  readonly operationContext?: string
  readonly mediaStreaming?: MediaStreamingConfig
  readonly transcription?: TranscriptionConfig
  readonly sourceCallerIdNumber?: string
  readonly sourceDisplayName?: string
  readonly createdAt: Instant
}

/** A party being rung: a target of create-call, the caller of an answered call, or an add-participant. */
export interface Invitation {
  readonly purpose: 'createCall' | 'answer' | 'addParticipant'
  readonly invitationId: InvitationId | null
  readonly participant: Identifier
  readonly deadline: Instant | null
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface ContinuousRecognition {
  readonly id: OperationId
  readonly participant: Identifier
  /** The `sequenceId` the next ToneReceived gets; starts at 1. */
  readonly nextSequenceId: number
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface HoldInfo {
  readonly participant: Identifier
  readonly playSource?: PlaySource
  readonly operationContext?: string
  readonly callbackUri: string
  readonly musicFailed: boolean
}

export type Session =
  | { readonly _tag: 'Off' }
  | {
      readonly _tag: 'Starting' | 'Active'
      readonly id: OperationId
      readonly operationContext?: string
      readonly callbackUri: string
    }

export interface TransferInfo {
  readonly id: OperationId
  readonly target: Identifier
  readonly transferee?: Identifier
  readonly operationContext?: string
  readonly callbackUri: string
}

export interface PressMark {
  readonly participant: RawId
  readonly pressId: number
}

export interface State {
  readonly status: Status
  readonly call: CallInfo | null
  /** The parties in the call besides the application, as the last ParticipantsUpdated listed them. */
  readonly participants: ReadonlyArray<Participant>
  readonly participantsSequence: number
  readonly invitations: ReadonlyArray<Invitation>
  /** The main lane: a FIFO queue whose head is running. */
  readonly main: ReadonlyArray<Operation>
  /** The sub lane: at most one participant-specific operation. */
  readonly sub: Operation | null
  readonly continuous: ReadonlyArray<ContinuousRecognition>
  readonly holds: ReadonlyArray<HoldInfo>
  readonly streaming: Session
  readonly transcription: Session
  readonly transcriptionLocale: string | null
  readonly transfer: TransferInfo | null
  /** The highest press id taken into account per participant (duplicate presses are ignored). */
  readonly presses: ReadonlyArray<PressMark>
  /** The highest speech id taken into account per participant (duplicate results are ignored). */
  readonly speeches: ReadonlyArray<PressMark>
  /** Operation ids are `op-<n>`; the next n. */
  readonly nextOperation: number
  /** How many callback events the call has produced: the `sequence` of the last one. */
  readonly callbacks: number
  /** How many events were folded. */
  readonly version: number
}

export const off: Session = { _tag: 'Off' }

export const initial: State = {
  status: 'none',
  call: null,
  participants: [],
  participantsSequence: 0,
  invitations: [],
  main: [],
  sub: null,
  continuous: [],
  holds: [],
  streaming: off,
  transcription: off,
  transcriptionLocale: null,
  transfer: null,
  presses: [],
  speeches: [],
  nextOperation: 1,
  callbacks: 0,
  version: 0,
}

/** Live: created and not yet ended. */
export const isLive = (state: State): boolean =>
  state.status !== 'none' && state.status !== 'disconnected'

/** Every running or queued play, recognize and SendDtmfTones. */
export const operations = (state: State): ReadonlyArray<Operation> =>
  state.sub === null ? state.main : [...state.main, state.sub]

export const findOperation = (state: State, id: OperationId): Operation | null => {
  const main = state.main
  for (let i = 0; i < main.length; i++) if (main[i]!.id === id) return main[i]!
  return state.sub !== null && state.sub.id === id ? state.sub : null
}

export const findParticipant = (state: State, raw: RawId): Participant | null => {
  for (const p of state.participants) if (rawOf(p.identifier) === raw) return p
  return null
}

export const findContinuous = (state: State, raw: RawId): ContinuousRecognition | null => {
  for (const c of state.continuous) if (rawOf(c.participant) === raw) return c
  return null
}

export const findHold = (state: State, raw: RawId): HoldInfo | null => {
  for (const h of state.holds) if (rawOf(h.participant) === raw) return h
  return null
}

/**
 * `findParticipant` by identifier: the same answer (the first entry with the same raw id), found
 * with `Identifier.equals`, which compares identifiers of one kind without formatting raw ids.
 */
export const participantOf = (state: State, who: Identifier): Participant | null => {
  const ps = state.participants
  for (let i = 0; i < ps.length; i++) if (equals(ps[i]!.identifier, who)) return ps[i]!
  return null
}

/** `findContinuous` by identifier (as `participantOf`). */
export const continuousOf = (state: State, who: Identifier): ContinuousRecognition | null => {
  const cs = state.continuous
  for (let i = 0; i < cs.length; i++) if (equals(cs[i]!.participant, who)) return cs[i]!
  return null
}

/** `findHold` by identifier (as `participantOf`). */
export const holdOf = (state: State, who: Identifier): HoldInfo | null => {
  const hs = state.holds
  for (let i = 0; i < hs.length; i++) if (equals(hs[i]!.participant, who)) return hs[i]!
  return null
}

/** The highest press id of this participant taken into account so far (0 when none). */
export const lastPressId = (state: State, raw: RawId): number => {
  const ps = state.presses
  for (let i = 0; i < ps.length; i++) if (ps[i]!.participant === raw) return ps[i]!.pressId
  return 0
}

/** This participant's press mark (`lastPressId` by identifier, without formatting its raw id). */
export const pressOf = (state: State, who: Identifier): PressMark | null => {
  const ps = state.presses
  for (let i = 0; i < ps.length; i++) if (hasRawId(who, ps[i]!.participant)) return ps[i]!
  return null
}

/** The highest speech id of this participant taken into account so far (0 when none). */
export const lastSpeechId = (state: State, raw: RawId): number => {
  for (const m of state.speeches) if (m.participant === raw) return m.pressId
  return 0
}

/** A group call: the application has more than one other party. */
export const isGroupCall = (state: State): boolean => state.participants.length > 1

/** A change to some fields of the state. */
export type Patch = { readonly [K in keyof State]?: State[K] }

/**
 * The state with `patch` applied. Built as one literal with every field in a fixed order (no object
 * spread): every state then shares one hidden class, and the copy costs a fraction of a spread.
 * No field of the state is ever `undefined`, so an absent patch field means "unchanged".
 */
export const update = (s: State, p: Patch): State =>
  updateCounted(
    s,
    p,
    p.callbacks === undefined ? s.callbacks : p.callbacks,
    p.version === undefined ? s.version : p.version,
  )

/** A state being built: a private copy that the core folds events into before handing it out. */
export type Mutable = { -readonly [K in keyof State]: State[K] }

/** A fresh copy of the state (one literal, one hidden class), to be folded into. */
export const clone = (s: State): Mutable => ({
  status: s.status,
  call: s.call,
  participants: s.participants,
  participantsSequence: s.participantsSequence,
  invitations: s.invitations,
  main: s.main,
  sub: s.sub,
  continuous: s.continuous,
  holds: s.holds,
  streaming: s.streaming,
  transcription: s.transcription,
  transcriptionLocale: s.transcriptionLocale,
  transfer: s.transfer,
  presses: s.presses,
  speeches: s.speeches,
  nextOperation: s.nextOperation,
  callbacks: s.callbacks,
  version: s.version,
})

/** `update` with the two counters given apart (what `evolve` does for every event). */
export const updateCounted = (s: State, p: Patch, callbacks: number, version: number): State => ({
  status: p.status === undefined ? s.status : p.status,
  call: p.call === undefined ? s.call : p.call,
  participants: p.participants === undefined ? s.participants : p.participants,
  participantsSequence:
    p.participantsSequence === undefined ? s.participantsSequence : p.participantsSequence,
  invitations: p.invitations === undefined ? s.invitations : p.invitations,
  main: p.main === undefined ? s.main : p.main,
  sub: p.sub === undefined ? s.sub : p.sub,
  continuous: p.continuous === undefined ? s.continuous : p.continuous,
  holds: p.holds === undefined ? s.holds : p.holds,
  streaming: p.streaming === undefined ? s.streaming : p.streaming,
  transcription: p.transcription === undefined ? s.transcription : p.transcription,
  transcriptionLocale:
    p.transcriptionLocale === undefined ? s.transcriptionLocale : p.transcriptionLocale,
  transfer: p.transfer === undefined ? s.transfer : p.transfer,
  presses: p.presses === undefined ? s.presses : p.presses,
  speeches: p.speeches === undefined ? s.speeches : p.speeches,
  nextOperation: p.nextOperation === undefined ? s.nextOperation : p.nextOperation,
  callbacks,
  version,
})
