import type { CallbackEvent, Event, Participant } from './Event.js'
import { isCallback } from './Event.js'
import type { OperationId } from './Ids.js'
import * as Identifier from './Identifier.js'
import type { Instant } from './Instant.js'
import type { Operation } from './Operation.js'
import * as Op from './Operation.js'
import type {
  CallInfo,
  ContinuousRecognition,
  HoldInfo,
  Invitation,
  Mutable,
  PressMark,
  Session,
  State,
} from './State.js'
import { clone, initial, lastSpeechId, off, pressOf } from './State.js'
import * as Timing from './Timing.js'

/**
 * Folds one event into the state. Total: it never fails and never throws; an event that does not
 * apply (a terminal event of an unknown operation, say, as ingested callbacks can be) changes only
 * the counters. Replaying a call's events through `evolve` gives exactly the state `decide`,
 * `observe` and `expire` worked on.
 */
export const evolve = (state: State, event: Event): State => {
  let next = clone(state)
  let callback = false
  try {
    callback = isCallback(event)
    apply(state, next, event)
  } catch {
    // an event with missing or malformed fields (ingested, corrupted) changes only the counters
    next = clone(state)
  }
  next.callbacks = callback ? state.callbacks + 1 : state.callbacks
  next.version = state.version + 1
  return next
}

/**
 * Folds one event into a state the caller owns (the `Draft` of a decision): the fold `evolve`
 * does, written in place. `callback` is `isCallback(event)`. Throws when the event is malformed
 * (then `into` may be partly written: the caller starts over from a state it kept).
 */
export const foldInto = (into: Mutable, event: Event, callback: boolean): void => {
  apply(into, into, event)
  if (callback) into.callbacks += 1
  into.version += 1
}

/** `events.reduce(evolve, initial)`. */
export const replay = (events: ReadonlyArray<Event>, from: State = initial): State => {
  let state = from
  for (const event of events) state = evolve(state, event)
  return state
}

const raw = Identifier.rawId

const opNumber = (id: OperationId): number => {
  // `op-<n>`, read without slicing
  let n = 0
  if (typeof id !== 'string' || id.length < 4 || id.length > 19) return numberOf(id)
  for (let i = 3; i < id.length; i++) {
    const c = id.charCodeAt(i) - 48
    if (c < 0 || c > 9) return numberOf(id)
    n = n * 10 + c
  }
  return n
}

const numberOf = (id: OperationId): number => {
  const n = Number(id.slice(3))
  return Number.isSafeInteger(n) ? n : 0
}

const bump = (state: State, id: OperationId): number =>
  Math.max(state.nextOperation, opNumber(id) + 1)

/** The operation `id` (sub slot first, then the main lane), or null. */
const operation = (s: State, id: OperationId): Operation | null => {
  if (s.sub !== null && s.sub.id === id) return s.sub
  const main = s.main
  for (let i = 0; i < main.length; i++) if (main[i]!.id === id) return main[i]!
  return null
}

/** Puts `next` where `op` (found by `operation`) was. */
const replace = (s: State, t: Mutable, op: Operation, next: Operation): void => {
  if (s.sub === op) {
    t.sub = next
    return
  }
  const main = s.main
  for (let i = 0; i < main.length; i++) {
    if (main[i] === op) {
      const copy = main.slice()
      copy[i] = next
      t.main = copy
      return
    }
  }
}

type Family = 'play' | 'recognize' | 'dtmf'

const familyOf = (op: Operation): Family =>
  op.spec._tag === 'Play' ? 'play' : op.spec._tag === 'Recognize' ? 'recognize' : 'dtmf'

/**
 * Removes the operation a terminal event ends. Events made by the core name their operation;
 * events ingested from ACS do not, so they match by operation context, then by the first running
 * operation of the same family.
 */
const removeTerminal = (s: State, t: Mutable, event: CallbackEvent, family: Family): void => {
  const byId = 'operationId' in event && event.operationId !== undefined ? event.operationId : null
  if (byId !== null) {
    // the usual case: the core's own event, by id
    if (s.sub !== null && s.sub.id === byId) {
      t.sub = null
      return
    }
    const main = s.main
    for (let i = 0; i < main.length; i++) {
      if (main[i]!.id === byId) {
        if (main.length === 1) t.main = noOperations
        else {
          const rest: Array<Operation> = []
          for (let j = 0; j < main.length; j++) if (main[j]!.id !== byId) rest.push(main[j]!)
          t.main = rest
        }
        return
      }
    }
    return
  }
  const all = s.sub === null ? s.main : [...s.main, s.sub]
  const context = 'operationContext' in event ? event.operationContext : undefined
  const victim =
    (context !== undefined
      ? all.find((op) => familyOf(op) === family && op.operationContext === context)
      : undefined) ?? all.find((op) => familyOf(op) === family && op.phase !== 'queued')
  if (victim === undefined) return
  const id = victim.id
  if (s.sub !== null && s.sub.id === id) t.sub = null
  else t.main = s.main.filter((op) => op.id !== id)
}

const noOperations: ReadonlyArray<Operation> = []

const activate = (session: Session, id: OperationId | undefined, callbackUri: string): Session =>
  session._tag === 'Off'
    ? { _tag: 'Active', id: id ?? ('op-0' as OperationId), callbackUri }
    : { ...session, _tag: 'Active' }

/**
 * Writes the change `event` makes to `s` into `t`. `t` is either a fresh copy of `s` or `s`
 * itself (a state being built), so every case computes its new values before writing any.
 */
const apply = (s: State, t: Mutable, event: Event): void => {
  switch (event._tag) {
    // the most frequent events first: a switch on strings tests its cases in order
    case 'ContinuousDtmfRecognitionToneReceived': {
      const who = event.participant
      const cs = s.continuous
      let index = -1
      if (who !== undefined) {
        for (let i = 0; i < cs.length; i++)
          if (Identifier.equals(cs[i]!.participant, who)) {
            index = i
            break
          }
      } else if (cs.length === 1) index = 0
      if (index < 0) return
      const continuous = cs.slice()
      const current = continuous[index]!
      const advanced: { -readonly [K in keyof typeof current]: (typeof current)[K] } = {
        id: current.id,
        participant: current.participant,
        nextSequenceId: Math.max(current.nextSequenceId, event.sequenceId + 1),
        callbackUri: current.callbackUri,
      }
      if (current.operationContext !== undefined)
        advanced.operationContext = current.operationContext
      continuous[index] = advanced
      t.continuous = continuous
      return
    }
    case 'ToneObserved': {
      const m = pressOf(s, event.participant)
      if (event.pressId <= (m === null ? 0 : m.pressId)) return
      // the mark keeps its raw id string: the next press compares to it without formatting
      t.presses = mark(
        s.presses,
        m === null ? raw(event.participant) : m.participant,
        event.pressId,
      )
      return
    }
    case 'PlayStarted': {
      if (event.operationId === undefined) return
      const op = operation(s, event.operationId)
      if (op !== null)
        replace(s, t, op, Op.next(op, 'playing', Op.playbackDeadline(event.at, event.durationMs)))
      return
    }
    case 'PlayCompleted':
    case 'PlayFailed':
    case 'PlayCanceled':
      return removeTerminal(s, t, event, 'play')
    case 'RecognizeCompleted':
    case 'RecognizeFailed':
    case 'RecognizeCanceled':
      return removeTerminal(s, t, event, 'recognize')
    case 'SendDtmfTonesCompleted':
    case 'SendDtmfTonesFailed':
      return removeTerminal(s, t, event, 'dtmf')
    // ------------------------------------------------------------ bookkeeping
    case 'CallCreated': {
      const call: { -readonly [K in keyof CallInfo]: CallInfo[K] } = {
        callConnectionId: event.callConnectionId,
        serverCallId: event.serverCallId,
        correlationId: event.correlationId,
        direction: event.direction,
        callbackUri: event.callbackUri,
        app: event.app,
        createdAt: event.at,
      }
      if (event.operationContext !== undefined) call.operationContext = event.operationContext
      if (event.mediaStreaming !== undefined) call.mediaStreaming = event.mediaStreaming
      if (event.transcription !== undefined) call.transcription = event.transcription
      if (event.sourceCallerIdNumber !== undefined)
        call.sourceCallerIdNumber = event.sourceCallerIdNumber
      if (event.sourceDisplayName !== undefined) call.sourceDisplayName = event.sourceDisplayName
      const outbound = event.direction === 'outbound'
      const invitations = event.parties.map((participant): Invitation => {
        const invitation: { -readonly [K in keyof Invitation]: Invitation[K] } = {
          purpose: outbound ? 'createCall' : 'answer',
          invitationId: null,
          participant,
          deadline: outbound ? ((event.at + Timing.ringTimeoutMs) as Instant) : null,
          callbackUri: event.callbackUri,
        }
        if (event.operationContext !== undefined)
          invitation.operationContext = event.operationContext
        return invitation
      })
      t.status = 'connecting'
      t.call = call
      t.invitations = invitations
      return
    }
    case 'InvitationSent': {
      const invitations = [
        ...s.invitations,
        {
          purpose: 'addParticipant' as const,
          invitationId: event.invitationId,
          participant: event.participant,
          deadline: event.deadline,
          callbackUri: event.callbackUri,
          ...(event.operationContext !== undefined
            ? { operationContext: event.operationContext }
            : {}),
        },
      ]
      t.invitations = invitations
      return
    }
    case 'InvitationEnded': {
      const r = raw(event.participant)
      t.invitations = without(
        s.invitations,
        (i) => i.purpose !== 'addParticipant' && raw(i.participant) === r,
      )
      return
    }
    case 'OperationAccepted': {
      const op = event.operation
      const nextOperation = bump(s, op.id)
      if (Op.lane(op.kind) === 'main') {
        const main = s.main.length === 0 ? [op] : [...s.main, op]
        t.main = main
      } else t.sub = op
      t.nextOperation = nextOperation
      return
    }
    case 'OperationStarted': {
      const op = operation(s, event.operationId)
      if (op !== null) replace(s, t, op, Op.begin(op, event.at))
      return
    }
    case 'RecognizePromptStarted': {
      const op = operation(s, event.operationId)
      if (op !== null)
        replace(s, t, op, Op.next(op, 'playing', Op.playbackDeadline(event.at, event.durationMs)))
      return
    }
    case 'RecognizePromptFinished': {
      const op = operation(s, event.operationId)
      if (op !== null && op.spec._tag === 'Recognize')
        replace(
          s,
          t,
          op,
          Op.next(op, 'listening', (event.at + op.spec.initialSilenceTimeoutMs) as Instant),
        )
      return
    }
    case 'SpeechObserved': {
      const r = raw(event.participant)
      if (event.speechId <= lastSpeechId(s, r)) return
      t.speeches = mark(s.speeches, r, event.speechId)
      return
    }
    case 'RecognizeToneCollected': {
      const op = operation(s, event.operationId)
      if (op !== null && op.spec._tag === 'Recognize')
        replace(
          s,
          t,
          op,
          Op.next(
            op,
            'listening',
            (event.at + op.spec.dtmf.interToneTimeoutMs) as Instant,
            op.collected.length === 0 ? [event.tone] : [...op.collected, event.tone],
          ),
        )
      return
    }
    case 'ContinuousDtmfRecognitionStarted': {
      const nextOperation = bump(s, event.operationId)
      const started: { -readonly [K in keyof ContinuousRecognition]: ContinuousRecognition[K] } = {
        id: event.operationId,
        participant: event.participant,
        nextSequenceId: 1,
        callbackUri: event.callbackUri,
      }
      if (event.operationContext !== undefined) started.operationContext = event.operationContext
      const continuous = s.continuous.length === 0 ? [started] : [...s.continuous, started]
      t.nextOperation = nextOperation
      t.continuous = continuous
      return
    }
    case 'HoldStarted': {
      const r = raw(event.participant)
      const hold: { -readonly [K in keyof HoldInfo]: HoldInfo[K] } = {
        participant: event.participant,
        callbackUri: event.callbackUri,
        musicFailed: false,
      }
      if (event.playSource !== undefined) hold.playSource = event.playSource
      if (event.operationContext !== undefined) hold.operationContext = event.operationContext
      const holds: Array<HoldInfo> = []
      for (const h of s.holds) if (raw(h.participant) !== r) holds.push(h)
      holds.push(hold)
      t.holds = holds
      return
    }
    case 'HoldEnded': {
      const r = raw(event.participant)
      const holds: Array<HoldInfo> = []
      for (const h of s.holds) if (raw(h.participant) !== r) holds.push(h)
      t.holds = holds
      return
    }
    case 'MediaStreamingRequested': {
      const nextOperation = bump(s, event.operationId)
      t.streaming = {
        _tag: 'Starting',
        id: event.operationId,
        callbackUri: event.callbackUri,
        ...(event.operationContext !== undefined
          ? { operationContext: event.operationContext }
          : {}),
      }
      t.nextOperation = nextOperation
      return
    }
    case 'TranscriptionRequested': {
      const nextOperation = bump(s, event.operationId)
      const locale = event.locale
      t.transcription = {
        _tag: 'Starting',
        id: event.operationId,
        callbackUri: event.callbackUri,
        ...(event.operationContext !== undefined
          ? { operationContext: event.operationContext }
          : {}),
      }
      t.nextOperation = nextOperation
      t.transcriptionLocale = locale
      return
    }
    case 'TransferRequested': {
      const nextOperation = bump(s, event.operationId)
      t.transfer = {
        id: event.operationId,
        target: event.target,
        callbackUri: event.callbackUri,
        ...(event.transferee !== undefined ? { transferee: event.transferee } : {}),
        ...(event.operationContext !== undefined
          ? { operationContext: event.operationContext }
          : {}),
      }
      t.status = 'transferring'
      t.nextOperation = nextOperation
      return
    }

    // ------------------------------------------------------------ callback events
    case 'CallConnected': {
      const status = s.status === 'connecting' || s.status === 'none' ? 'connected' : s.status
      const invitations = without(s.invitations, (i) => i.purpose === 'answer')
      t.status = status
      t.invitations = invitations
      return
    }
    case 'CallDisconnected':
    case 'CreateCallFailed':
    case 'AnswerFailed':
      t.status = 'disconnected'
      t.invitations = []
      t.main = []
      t.sub = null
      t.continuous = []
      t.holds = []
      t.streaming = off
      t.transcription = off
      t.transfer = null
      return
    case 'CallTransferAccepted':
      t.transfer = null
      return
    case 'CallTransferFailed': {
      const status = s.status === 'transferring' ? 'connected' : s.status
      t.transfer = null
      t.status = status
      return
    }
    case 'ParticipantsUpdated': {
      const listed = event.participants
      if (!Array.isArray(listed)) throw new TypeError('participants is not a list')
      // a missing entry makes the event malformed (checked first, as the fold always did)
      for (let i = 0; i < listed.length; i++)
        if (listed[i] === null || listed[i] === undefined)
          throw new TypeError('participant missing')
      const participantsSequence = Math.max(s.participantsSequence, event.sequenceNumber)
      const invitations = without(
        s.invitations,
        (i) => i.purpose === 'createCall' && listedIn(listed, i.participant),
      )
      // a participant who left is on hold no longer
      const holds = keep(s.holds, (h) => listedIn(listed, h.participant))
      t.participants = listed
      t.participantsSequence = participantsSequence
      t.invitations = invitations
      t.holds = holds
      return
    }
    case 'AddParticipantSucceeded':
    case 'AddParticipantFailed': {
      const r = raw(event.participant)
      t.invitations = without(
        s.invitations,
        (i) =>
          i.purpose === 'addParticipant' &&
          (event.invitationId !== undefined
            ? i.invitationId === event.invitationId
            : raw(i.participant) === r),
      )
      return
    }
    case 'CancelAddParticipantSucceeded':
      t.invitations = without(
        s.invitations,
        (i) => i.purpose === 'addParticipant' && i.invitationId === event.invitationId,
      )
      return
    case 'RemoveParticipantSucceeded':
    case 'RemoveParticipantFailed':
    case 'CancelAddParticipantFailed':
    case 'ContinuousDtmfRecognitionToneFailed':
      return
    case 'ContinuousDtmfRecognitionStopped': {
      const who = event.participant
      if (who !== undefined) {
        const r = raw(who)
        t.continuous = s.continuous.filter((c) => raw(c.participant) !== r)
        return
      }
      const byContext = s.continuous.find(
        (c) =>
          event.operationContext !== undefined && c.operationContext === event.operationContext,
      )
      if (byContext !== undefined) {
        t.continuous = s.continuous.filter((c) => c !== byContext)
        return
      }
      if (s.continuous.length === 1) t.continuous = []
      return
    }
    case 'HoldFailed': {
      const who = event.participant
      t.holds = s.holds.map((h) =>
        who === undefined || raw(h.participant) === raw(who) ? { ...h, musicFailed: true } : h,
      )
      return
    }
    case 'MediaStreamingStarted':
      t.streaming = activate(s.streaming, event.operationId, s.call?.callbackUri ?? '')
      return
    case 'MediaStreamingStopped':
    case 'MediaStreamingFailed':
      t.streaming = off
      return
    case 'TranscriptionStarted':
      t.transcription = activate(s.transcription, event.operationId, s.call?.callbackUri ?? '')
      return
    case 'TranscriptionUpdated':
      if (event.locale !== undefined) t.transcriptionLocale = event.locale
      return
    case 'TranscriptionStopped':
    case 'TranscriptionFailed':
      t.transcription = off
      return
  }
  // Not reachable for well-typed events; keeps evolve total for data from the outside.
}

/** The marks with this participant's set to `id`. */
const mark = (
  marks: ReadonlyArray<PressMark>,
  r: Identifier.RawId,
  id: number,
): ReadonlyArray<PressMark> => {
  const out: Array<PressMark> = []
  for (let i = 0; i < marks.length; i++) if (marks[i]!.participant !== r) out.push(marks[i]!)
  out.push({ participant: r, pressId: id })
  return out
}

/** Is this party one of the listed participants (same raw id)? */
const listedIn = (listed: ReadonlyArray<Participant>, who: Identifier.Identifier): boolean => {
  for (let i = 0; i < listed.length; i++)
    if (Identifier.equals(listed[i]!.identifier, who)) return true
  return false
}

/** The items `keep` holds for; the same array when that is all of them. */
const keep = <A>(items: ReadonlyArray<A>, holds: (a: A) => boolean): ReadonlyArray<A> => {
  for (let i = 0; i < items.length; i++) {
    if (holds(items[i]!)) continue
    const out: Array<A> = items.slice(0, i)
    for (let j = i + 1; j < items.length; j++) if (holds(items[j]!)) out.push(items[j]!)
    return out
  }
  return items
}

/** The items but those `match` holds for; the same array when there are none. */
const without = <A>(items: ReadonlyArray<A>, match: (a: A) => boolean): ReadonlyArray<A> => {
  for (let i = 0; i < items.length; i++) {
    if (!match(items[i]!)) continue
    const out: Array<A> = items.slice(0, i)
    for (let j = i + 1; j < items.length; j++) if (!match(items[j]!)) out.push(items[j]!)
    return out
  }
  return items
}
