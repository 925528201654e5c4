import type { Ids, Instruction, Signal, Event } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import { MediaPlane } from '@switchboard/runtime'
import { EventStore } from '@switchboard/store'
import type { CallId, EventStoreService } from '@switchboard/store'
import { Effect, Either, Layer, Option } from 'effect'
import * as AudioPath from './AudioPath.js'
import * as MediaStream from './MediaStream.js'
import * as Party from './Party.js'
import type * as Phone from './Phone.js'
import { push } from './Phone.js'
import * as Sources from './Sources.js'
import * as Transcription from './Transcription.js'
import * as World from './World.js'

/**
 * The media plane of the simulated world: carries out the core's media instructions on the
 * world's phones and reports what happens.
 */

type Report = (signal: Signal.Signal) => void

const raw = Identifier.rawId

/** The call's correlation id, from its CallCreated event (the call connection id when unknown). */
const idsOf = (store: Option.Option<EventStoreService>, callId: Ids.CallConnectionId) =>
  Effect.gen(function* () {
    const fallback = { callConnectionId: callId as string, correlationId: callId as string }
    if (Option.isNone(store)) return fallback
    const events = yield* Effect.orElseSucceed(
      store.value.read(callId as unknown as CallId, { fromVersion: 1 }),
      () => [],
    )
    for (const e of events) {
      const p = e.payload as unknown as Event.Event
      if (p !== null && typeof p === 'object' && p._tag === 'CallCreated')
        return { callConnectionId: callId as string, correlationId: p.correlationId as string }
    }
    return fallback
  })

const newLeg = (phone: Phone.Phone, status: World.LegStatus, since: string): World.Leg => ({
  phone,
  status,
  onHold: false,
  muted: false,
  since,
  onAnswer: null,
  pressId: 0,
  speechId: 0,
  segments: [],
})

export const make = Effect.gen(function* () {
  const world = yield* World.World
  const config = world.config
  const store = yield* Effect.serviceOption(EventStore)
  const ids = (callId: Ids.CallConnectionId) => idsOf(store, callId)

  /** Rings a party: it answers, declines or times out as its behavior says. */
  const ring = (
    call: World.CallRecord,
    participant: Identifier.Identifier,
    report: Report,
    timeoutMs: number,
  ) =>
    Effect.gen(function* () {
      const phone = world.phone(participant)
      World.joined(phone, call.id)
      const leg = newLeg(phone, 'ringing', yield* World.iso)
      call.legs.set(phone.rawId, leg)
      const answer = () => {
        if (leg.status !== 'ringing') return
        leg.status = 'connected'
        leg.onAnswer = null
        report({ _tag: 'PartyAnswered', participant })
      }
      const decline = (reason: Signal.DeclineReason) =>
        Effect.sync(() => {
          if (leg.status !== 'ringing') return
          leg.status = 'declined'
          leg.onAnswer = null
          report({ _tag: 'PartyDeclined', participant, reason })
        })
      leg.onAnswer = answer
      const b = phone.behavior
      const key = World.keys.ring(call.id, phone.rawId)
      switch (b.answer) {
        case 'auto':
          return yield* world.fork(
            key,
            Effect.zipRight(World.sleep(config, b.answerDelayMs), Effect.sync(answer)),
          )
        case 'busy':
          return yield* world.fork(
            key,
            Effect.zipRight(World.sleep(config, b.answerDelayMs), decline('busy')),
          )
        case 'reject':
          return yield* world.fork(
            key,
            Effect.zipRight(World.sleep(config, b.answerDelayMs), decline('declined')),
          )
        case 'manual':
        case 'noAnswer':
          return yield* world.fork(
            key,
            Effect.zipRight(World.sleep(config, timeoutMs), decline('noAnswer')),
          )
      }
    })

  const ended = (entries: ReadonlyArray<Phone.Played>, status: 'finished' | 'stopped') =>
    Effect.map(World.iso, (at) => {
      for (const e of entries)
        if (e.status === 'playing') {
          e.status = status
          e.endedAt = at
        }
    })

  const playback = (call: World.CallRecord, i: Instruction.StartPlayback, report: Report) =>
    Effect.gen(function* () {
      const resolved = yield* Effect.either(Sources.resolveAll(i.sources, config.sources))
      if (Either.isLeft(resolved)) {
        report({
          _tag: 'PlaybackFailed',
          operationId: i.operationId,
          reason: resolved.left.error.reason,
          sourceIndex: resolved.left.index,
        })
        return
      }
      const total = resolved.right.reduce((a, r) => a + r.durationMs, 0)
      const audience =
        i.to.length === 0
          ? World.listeners(call)
          : i.to.flatMap((t) => {
              const leg = call.legs.get(raw(t))
              return leg !== undefined && leg.status === 'connected' ? [leg] : []
            })
      const startedAt = yield* World.iso
      const entries = audience.map((leg) => {
        const e: Phone.Played = {
          callConnectionId: call.id,
          kind: 'play',
          operationId: i.operationId,
          sources: resolved.right.map((r) => r.description),
          durationMs: i.loop ? null : total,
          loop: i.loop,
          startedAt,
          status: 'playing',
        }
        push(leg.phone.played, e)
        return e
      })
      report({
        _tag: 'PlaybackStarted',
        operationId: i.operationId,
        durationMs: i.loop ? null : total,
      })
      yield* (i.loop ? Effect.never : World.sleep(config, total)).pipe(
        Effect.onInterrupt(() => ended(entries, 'stopped')),
      )
      yield* ended(entries, 'finished')
      report({ _tag: 'PlaybackFinished', operationId: i.operationId })
    })

  const sendTones = (call: World.CallRecord, i: Instruction.SendTones, report: Report) =>
    Effect.gen(function* () {
      const leg = call.legs.get(raw(i.target))
      const failed = () => report({ _tag: 'TonesFailed', operationId: i.operationId })
      if (leg === undefined || leg.status !== 'connected') return failed()
      const timing = { toneMs: config.serviceToneMs, gapMs: config.serviceGapMs }
      const heard = AudioPath.transmit(i.tones, timing)
      let elapsed = 0
      for (const h of heard) {
        yield* World.sleep(config, h.endMs - elapsed)
        elapsed = h.endMs
        if (leg.status !== 'connected') return failed()
        Party.heardDigit(leg, call.id, h, yield* World.iso)
      }
      yield* World.sleep(config, AudioPath.durationMs(i.tones.length, timing) - elapsed)
      if (leg.status !== 'connected') return failed()
      report({ _tag: 'TonesSent', operationId: i.operationId })
    })

  const hold = (call: World.CallRecord, i: Instruction.StartHoldMusic, report: Report) =>
    Effect.gen(function* () {
      const leg = call.legs.get(raw(i.participant))
      if (leg === undefined) return
      leg.onHold = true
      const source = i.source
      if (source === undefined) return
      const resolved = yield* Effect.either(Sources.resolve(source, config.sources))
      if (Either.isLeft(resolved)) {
        report({
          _tag: 'HoldMusicFailed',
          participant: i.participant,
          reason: resolved.left.reason,
        })
        return
      }
      const entry: Phone.Played = {
        callConnectionId: call.id,
        kind: 'holdMusic',
        sources: [resolved.right.description],
        durationMs: null,
        loop: true,
        startedAt: yield* World.iso,
        status: 'playing',
      }
      push(leg.phone.played, entry)
      yield* Effect.never.pipe(Effect.onInterrupt(() => ended([entry], 'stopped')))
    })

  const transfer = (call: World.CallRecord, i: Instruction.TransferCall, report: Report) =>
    Effect.gen(function* () {
      const phone = world.phone(i.target)
      World.joined(phone, call.id)
      const leg = newLeg(phone, 'ringing', yield* World.iso)
      call.legs.set(phone.rawId, leg)
      const accept = () => {
        if (leg.status !== 'ringing') return
        leg.status = 'transferred'
        leg.onAnswer = null
        const moved =
          i.transferee !== undefined
            ? call.legs.get(raw(i.transferee))
            : World.connected(call).find(([r]) => r !== phone.rawId)?.[1]
        if (moved !== undefined) moved.status = 'transferred'
        report({ _tag: 'TransferAccepted', operationId: i.operationId })
      }
      const failed = Effect.sync(() => {
        if (leg.status !== 'ringing') return
        leg.status = 'declined'
        leg.onAnswer = null
        report({ _tag: 'TransferFailed', operationId: i.operationId })
      })
      leg.onAnswer = accept
      const b = phone.behavior
      switch (b.answer) {
        case 'auto':
          yield* World.sleep(config, b.answerDelayMs)
          return accept()
        case 'busy':
        case 'reject':
          yield* World.sleep(config, b.answerDelayMs)
          return yield* failed
        case 'manual':
        case 'noAnswer':
          yield* World.sleep(config, config.ringTimeoutMs)
          return yield* failed
      }
    })

  const leave = (call: World.CallRecord, rawId: string, status: World.LegStatus) =>
    Effect.gen(function* () {
      const leg = call.legs.get(rawId)
      if (leg === undefined) return
      if (leg.status === 'connected' || leg.status === 'ringing') {
        leg.status = status
        leg.onAnswer = null
        leg.onHold = false
      }
      yield* world.stop(World.keys.ring(call.id, rawId))
      yield* world.stop(World.keys.hold(call.id, rawId))
      yield* world.stopAll(World.keys.party(call.id, rawId))
    })

  const execute = (callId: Ids.CallConnectionId, i: Instruction.MediaInstruction, report: Report) =>
    Effect.gen(function* () {
      const call = world.call(callId)
      call.report = report
      switch (i._tag) {
        case 'Dial':
          call.ended = false
          for (const p of i.participants) yield* ring(call, p, report, config.ringTimeoutMs)
          return
        case 'ConnectCall': {
          call.ended = false
          const phone = world.phone(i.caller)
          World.joined(phone, call.id)
          // the oldest call it placed to the app is the one answered
          phone.incoming.shift()
          call.legs.set(phone.rawId, newLeg(phone, 'connected', yield* World.iso))
          report({ _tag: 'CallEstablished' })
          return
        }
        case 'Invite':
          return yield* ring(
            call,
            i.participant,
            report,
            Math.min(config.ringTimeoutMs, i.timeoutMs + 1),
          )
        case 'CancelInvite': {
          const leg = call.legs.get(raw(i.participant))
          if (leg !== undefined && leg.status === 'ringing')
            yield* leave(call, raw(i.participant), 'canceled')
          return
        }
        case 'RemoveParty':
          return yield* leave(call, raw(i.participant), 'left')
        case 'MuteParty': {
          const leg = call.legs.get(raw(i.participant))
          if (leg !== undefined) leg.muted = true
          return
        }
        case 'TransferCall':
          return yield* world.fork(
            World.keys.transfer(callId, i.operationId),
            transfer(call, i, report),
          )
        case 'DisconnectCall': {
          call.ended = true
          yield* world.stopAll(World.keys.call(callId))
          for (const [r, leg] of call.legs) {
            if (leg.status === 'connected') yield* leave(call, r, 'left')
            else if (leg.status === 'ringing') yield* leave(call, r, 'canceled')
          }
          call.stream = null
          call.transcription = null
          return
        }
        case 'StartPlayback':
          return yield* world.fork(
            World.keys.play(callId, i.operationId),
            playback(call, i, report),
          )
        case 'StopPlayback':
          return yield* world.stop(World.keys.play(callId, i.operationId))
        case 'SendTones':
          return yield* world.fork(
            World.keys.tones(callId, i.operationId),
            sendTones(call, i, report),
          )
        case 'CancelTones':
          return yield* world.stop(World.keys.tones(callId, i.operationId))
        case 'StartHoldMusic':
          return yield* world.fork(
            World.keys.hold(callId, raw(i.participant)),
            hold(call, i, report),
          )
        case 'StopHoldMusic': {
          const leg = call.legs.get(raw(i.participant))
          if (leg !== undefined) leg.onHold = false
          return yield* world.stop(World.keys.hold(callId, raw(i.participant)))
        }
        case 'OpenMediaStream': {
          const callIds = yield* ids(callId)
          return yield* world.fork(
            World.keys.stream(callId),
            MediaStream.run(world, call, i, report, callIds),
          )
        }
        case 'CloseMediaStream':
          return yield* world.stop(World.keys.stream(callId))
        case 'OpenTranscription': {
          const callIds = yield* ids(callId)
          return yield* world.fork(
            World.keys.transcription(callId),
            Transcription.run(world, call, i, report, callIds),
          )
        }
        case 'ChangeTranscriptionLocale':
          if (call.transcription !== null) call.transcription.locale = i.locale
          return
        case 'CloseTranscription':
          return yield* world.stop(World.keys.transcription(callId))
      }
    })

  return MediaPlane.MediaPlane.of({ execute })
})

/** The media plane, on the world (reads call ids from the EventStore when one is provided). */
export const layer: Layer.Layer<MediaPlane.MediaPlane, never, World.World> = Layer.effect(
  MediaPlane.MediaPlane,
  make,
)
