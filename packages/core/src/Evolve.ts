import type { CallbackEvent, Event } from './Event.js'
import { isCallback } from './Event.js'
import type { OperationId } from './Ids.js'
import * as Identifier from './Identifier.js'
import type { Instant } from './Instant.js'
import type { Operation } from './Operation.js'
import * as Op from './Operation.js'
import type { Invitation, Patch, Session, State } from './State.js'
import { initial, lastPressId, lastSpeechId, off, updateCounted } from './State.js'
import * as Timing from './Timing.js'

/**
 * Folds one event into the state. Total: it never fails and never throws; an event that does not
 * apply (a terminal event of an unknown operation, say, as ingested callbacks can be) changes only
 * the counters. Replaying a call's events through `evolve` gives exactly the state `decide`,
 * `observe` and `expire` worked on.
 */
export const evolve = (state: State, event: Event): State => {
  let patch: Patch
  let callback = false
  try {
    callback = isCallback(event)
    patch = apply(state, event)
  } catch {
    // an event with missing or malformed fields (ingested, corrupted) changes only the counters
    patch = unchanged
  }
  return updateCounted(
    state,
    patch,
    callback ? state.callbacks + 1 : state.callbacks,
    state.version + 1,
  )
}

/** `events.reduce(evolve, initial)`. */
export const replay = (events: ReadonlyArray<Event>, from: State = initial): State => {
  let state = from
  for (const event of events) state = evolve(state, event)
  return state
}

const raw = Identifier.rawId

const opNumber = (id: OperationId): number => {
  const n = Number(id.slice(3))
  return Number.isSafeInteger(n) ? n : 0
}

const bump = (state: State, id: OperationId): number =>
  Math.max(state.nextOperation, opNumber(id) + 1)

const unchanged: Patch = {}

const mapOperation = (state: State, id: OperationId, f: (op: Operation) => Operation): Patch => {
  if (state.sub !== null && state.sub.id === id) return { sub: f(state.sub) }
  const index = state.main.findIndex((op) => op.id === id)
  if (index < 0) return unchanged
  const main = state.main.slice()
  main[index] = f(main[index] as Operation)
  return { main }
}

type Family = 'play' | 'recognize' | 'dtmf'

const familyOf = (op: Operation): Family =>
  op.spec._tag === 'Play' ? 'play' : op.spec._tag === 'Recognize' ? 'recognize' : 'dtmf'

/**
 * Removes the operation a terminal event ends. Events made by the core name their operation;
 * events ingested from ACS do not, so they match by operation context, then by the first running
 * operation of the same family.
 */
const removeTerminal = (state: State, event: CallbackEvent, family: Family): Patch => {
  const all = state.sub === null ? state.main : [...state.main, state.sub]
  const byId = 'operationId' in event && event.operationId !== undefined ? event.operationId : null
  let victim: Operation | undefined
  if (byId !== null) victim = all.find((op) => op.id === byId)
  else {
    const context = 'operationContext' in event ? event.operationContext : undefined
    victim =
      (context !== undefined
        ? all.find((op) => familyOf(op) === family && op.operationContext === context)
        : undefined) ?? all.find((op) => familyOf(op) === family && op.phase !== 'queued')
  }
  if (victim === undefined) return unchanged
  const id = victim.id
  if (state.sub !== null && state.sub.id === id) return { sub: null }
  return { main: state.main.filter((op) => op.id !== id) }
}

const withoutInvitation = (
  invitations: ReadonlyArray<Invitation>,
  match: (i: Invitation) => boolean,
): ReadonlyArray<Invitation> => invitations.filter((i) => !match(i))

const activate = (session: Session, id: OperationId | undefined, callbackUri: string): Session =>
  session._tag === 'Off'
    ? { _tag: 'Active', id: id ?? ('op-0' as OperationId), callbackUri }
    : { ...session, _tag: 'Active' }

const apply = (state: State, event: Event): Patch => {
  switch (event._tag) {
    // ------------------------------------------------------------ bookkeeping
    case 'CallCreated': {
      const call = {
        callConnectionId: event.callConnectionId,
        serverCallId: event.serverCallId,
        correlationId: event.correlationId,
        direction: event.direction,
        callbackUri: event.callbackUri,
        app: event.app,
        createdAt: event.at,
        ...(event.operationContext !== undefined
          ? { operationContext: event.operationContext }
          : {}),
        ...(event.mediaStreaming !== undefined ? { mediaStreaming: event.mediaStreaming } : {}),
        ...(event.transcription !== undefined ? { transcription: event.transcription } : {}),
        ...(event.sourceCallerIdNumber !== undefined
          ? { sourceCallerIdNumber: event.sourceCallerIdNumber }
          : {}),
        ...(event.sourceDisplayName !== undefined
          ? { sourceDisplayName: event.sourceDisplayName }
          : {}),
      }
      const invitations = event.parties.map((participant): Invitation => ({
        purpose: event.direction === 'outbound' ? 'createCall' : 'answer',
        invitationId: null,
        participant,
        deadline:
          event.direction === 'outbound' ? ((event.at + Timing.ringTimeoutMs) as Instant) : null,
        callbackUri: event.callbackUri,
        ...(event.operationContext !== undefined
          ? { operationContext: event.operationContext }
          : {}),
      }))
      return { status: 'connecting', call, invitations }
    }
    case 'InvitationSent':
      return {
        invitations: [
          ...state.invitations,
          {
            purpose: 'addParticipant',
            invitationId: event.invitationId,
            participant: event.participant,
            deadline: event.deadline,
            callbackUri: event.callbackUri,
            ...(event.operationContext !== undefined
              ? { operationContext: event.operationContext }
              : {}),
          },
        ],
      }
    case 'InvitationEnded': {
      const r = raw(event.participant)
      return {
        invitations: withoutInvitation(
          state.invitations,
          (i) => i.purpose !== 'addParticipant' && raw(i.participant) === r,
        ),
      }
    }
    case 'OperationAccepted': {
      const op = event.operation
      const nextOperation = bump(state, op.id)
      return Op.lane(op.kind) === 'main'
        ? { main: [...state.main, op], nextOperation }
        : { sub: op, nextOperation }
    }
    case 'OperationStarted':
      return mapOperation(state, event.operationId, (op) => Op.begin(op, event.at))
    case 'RecognizePromptStarted':
      return mapOperation(state, event.operationId, (op) =>
        Op.next(op, 'playing', Op.playbackDeadline(event.at, event.durationMs)),
      )
    case 'RecognizePromptFinished':
      return mapOperation(state, event.operationId, (op) =>
        op.spec._tag === 'Recognize'
          ? Op.next(op, 'listening', (event.at + op.spec.initialSilenceTimeoutMs) as Instant)
          : op,
      )
    case 'ToneObserved': {
      const r = raw(event.participant)
      if (event.pressId <= lastPressId(state, r)) return unchanged
      return {
        presses: [
          ...state.presses.filter((m) => m.participant !== r),
          { participant: r, pressId: event.pressId },
        ],
      }
    }
    case 'SpeechObserved': {
      const r = raw(event.participant)
      if (event.speechId <= lastSpeechId(state, r)) return unchanged
      return {
        speeches: [
          ...state.speeches.filter((m) => m.participant !== r),
          { participant: r, pressId: event.speechId },
        ],
      }
    }
    case 'RecognizeToneCollected':
      return mapOperation(state, event.operationId, (op) =>
        op.spec._tag === 'Recognize'
          ? Op.next(op, 'listening', (event.at + op.spec.dtmf.interToneTimeoutMs) as Instant, [
              ...op.collected,
              event.tone,
            ])
          : op,
      )
    case 'ContinuousDtmfRecognitionStarted':
      return {
        nextOperation: bump(state, event.operationId),
        continuous: [
          ...state.continuous,
          {
            id: event.operationId,
            participant: event.participant,
            nextSequenceId: 1,
            callbackUri: event.callbackUri,
            ...(event.operationContext !== undefined
              ? { operationContext: event.operationContext }
              : {}),
          },
        ],
      }
    case 'HoldStarted': {
      const r = raw(event.participant)
      return {
        holds: [
          ...state.holds.filter((h) => raw(h.participant) !== r),
          {
            participant: event.participant,
            callbackUri: event.callbackUri,
            musicFailed: false,
            ...(event.playSource !== undefined ? { playSource: event.playSource } : {}),
            ...(event.operationContext !== undefined
              ? { operationContext: event.operationContext }
              : {}),
          },
        ],
      }
    }
    case 'HoldEnded': {
      const r = raw(event.participant)
      return { holds: state.holds.filter((h) => raw(h.participant) !== r) }
    }
    case 'MediaStreamingRequested':
      return {
        nextOperation: bump(state, event.operationId),
        streaming: {
          _tag: 'Starting',
          id: event.operationId,
          callbackUri: event.callbackUri,
          ...(event.operationContext !== undefined
            ? { operationContext: event.operationContext }
            : {}),
        },
      }
    case 'TranscriptionRequested':
      return {
        nextOperation: bump(state, event.operationId),
        transcriptionLocale: event.locale,
        transcription: {
          _tag: 'Starting',
          id: event.operationId,
          callbackUri: event.callbackUri,
          ...(event.operationContext !== undefined
            ? { operationContext: event.operationContext }
            : {}),
        },
      }
    case 'TransferRequested':
      return {
        status: 'transferring',
        nextOperation: bump(state, event.operationId),
        transfer: {
          id: event.operationId,
          target: event.target,
          callbackUri: event.callbackUri,
          ...(event.transferee !== undefined ? { transferee: event.transferee } : {}),
          ...(event.operationContext !== undefined
            ? { operationContext: event.operationContext }
            : {}),
        },
      }

    // ------------------------------------------------------------ callback events
    case 'CallConnected':
      return {
        status:
          state.status === 'connecting' || state.status === 'none' ? 'connected' : state.status,
        invitations: withoutInvitation(state.invitations, (i) => i.purpose === 'answer'),
      }
    case 'CallDisconnected':
    case 'CreateCallFailed':
    case 'AnswerFailed':
      return {
        status: 'disconnected',
        invitations: [],
        main: [],
        sub: null,
        continuous: [],
        holds: [],
        streaming: off,
        transcription: off,
        transfer: null,
      }
    case 'CallTransferAccepted':
      return { transfer: null }
    case 'CallTransferFailed':
      return {
        transfer: null,
        status: state.status === 'transferring' ? 'connected' : state.status,
      }
    case 'ParticipantsUpdated': {
      const present = new Set(event.participants.map((p) => raw(p.identifier)))
      return {
        participants: event.participants,
        participantsSequence: Math.max(state.participantsSequence, event.sequenceNumber),
        invitations: withoutInvitation(
          state.invitations,
          (i) => i.purpose === 'createCall' && present.has(raw(i.participant)),
        ),
        // a participant who left is on hold no longer
        holds: state.holds.filter((h) => present.has(raw(h.participant))),
      }
    }
    case 'AddParticipantSucceeded':
    case 'AddParticipantFailed': {
      const r = raw(event.participant)
      return {
        invitations: withoutInvitation(
          state.invitations,
          (i) =>
            i.purpose === 'addParticipant' &&
            (event.invitationId !== undefined
              ? i.invitationId === event.invitationId
              : raw(i.participant) === r),
        ),
      }
    }
    case 'CancelAddParticipantSucceeded':
      return {
        invitations: withoutInvitation(
          state.invitations,
          (i) => i.purpose === 'addParticipant' && i.invitationId === event.invitationId,
        ),
      }
    case 'RemoveParticipantSucceeded':
    case 'RemoveParticipantFailed':
    case 'CancelAddParticipantFailed':
    case 'ContinuousDtmfRecognitionToneFailed':
      return unchanged
    case 'PlayStarted':
      return event.operationId === undefined
        ? unchanged
        : mapOperation(state, event.operationId, (op) =>
            Op.next(op, 'playing', Op.playbackDeadline(event.at, event.durationMs)),
          )
    case 'PlayCompleted':
    case 'PlayFailed':
    case 'PlayCanceled':
      return removeTerminal(state, event, 'play')
    case 'RecognizeCompleted':
    case 'RecognizeFailed':
    case 'RecognizeCanceled':
      return removeTerminal(state, event, 'recognize')
    case 'SendDtmfTonesCompleted':
    case 'SendDtmfTonesFailed':
      return removeTerminal(state, event, 'dtmf')
    case 'ContinuousDtmfRecognitionToneReceived': {
      const who = event.participant
      const index =
        who !== undefined
          ? state.continuous.findIndex((c) => raw(c.participant) === raw(who))
          : state.continuous.length === 1
            ? 0
            : -1
      if (index < 0) return unchanged
      const continuous = state.continuous.slice()
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
      return { continuous }
    }
    case 'ContinuousDtmfRecognitionStopped': {
      const who = event.participant
      if (who !== undefined)
        return { continuous: state.continuous.filter((c) => raw(c.participant) !== raw(who)) }
      const byContext = state.continuous.find(
        (c) =>
          event.operationContext !== undefined && c.operationContext === event.operationContext,
      )
      if (byContext !== undefined)
        return { continuous: state.continuous.filter((c) => c !== byContext) }
      return state.continuous.length === 1 ? { continuous: [] } : unchanged
    }
    case 'HoldFailed': {
      const who = event.participant
      return {
        holds: state.holds.map((h) =>
          who === undefined || raw(h.participant) === raw(who) ? { ...h, musicFailed: true } : h,
        ),
      }
    }
    case 'MediaStreamingStarted':
      return {
        streaming: activate(state.streaming, event.operationId, state.call?.callbackUri ?? ''),
      }
    case 'MediaStreamingStopped':
    case 'MediaStreamingFailed':
      return { streaming: off }
    case 'TranscriptionStarted':
      return {
        transcription: activate(
          state.transcription,
          event.operationId,
          state.call?.callbackUri ?? '',
        ),
      }
    case 'TranscriptionUpdated':
      return event.locale !== undefined ? { transcriptionLocale: event.locale } : unchanged
    case 'TranscriptionStopped':
    case 'TranscriptionFailed':
      return { transcription: off }
  }
  // Not reachable for well-typed events; keeps evolve total for data from the outside.
  return unchanged
}
