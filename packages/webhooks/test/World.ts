import type { Ids, Instruction, Signal } from '@switchboard/core'
import { Identifier, Ids as CoreIds, PlaySource } from '@switchboard/core'
import { IdSource, MediaPlane, Pipeline, Scheduler, Wakeup } from '@switchboard/runtime'
import type { Services } from '@switchboard/store'
import { Effect, Layer } from 'effect'

/**
 * A quick scripted media plane (parties answer at once, audio lasts 5 ms, tones 5 ms) and a
 * whole service around a store: pipeline, scheduler, wakeup, ids.
 */
export const media = Layer.succeed(MediaPlane.MediaPlane, {
  execute: (
    _callId: Ids.CallConnectionId,
    instruction: Instruction.MediaInstruction,
    report: (s: Signal.Signal) => void,
  ) =>
    Effect.gen(function* () {
      const later = (ms: number, signal: Signal.Signal) =>
        Effect.forkDaemon(
          Effect.zipRight(
            Effect.sleep(ms),
            Effect.sync(() => report(signal)),
          ),
        )
      switch (instruction._tag) {
        case 'Dial':
          for (const participant of instruction.participants)
            yield* later(1, { _tag: 'PartyAnswered', participant })
          return
        case 'StartPlayback':
          yield* later(0, {
            _tag: 'PlaybackStarted',
            operationId: instruction.operationId,
            durationMs: 5 as never,
          })
          yield* later(5, { _tag: 'PlaybackFinished', operationId: instruction.operationId })
          return
        case 'SendTones':
          yield* later(5, { _tag: 'TonesSent', operationId: instruction.operationId })
          return
        default:
          return
      }
    }),
})

export const service = <E>(store: Layer.Layer<Services, E>) =>
  Layer.provideMerge(
    Pipeline.layer(),
    Layer.mergeAll(store, IdSource.random, media, Wakeup.layer, Scheduler.layer),
  )

export const alice = Identifier.phoneNumber('+14255550101')
const app = Identifier.communicationUser('8:acs:app')

/** One whole call: create, answer, play, send tones, hang up. Six callbacks. */
export const scenario = (i: number, callbackUri: string, tag = 'c') =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const callId = CoreIds.unsafe.callConnectionId(`${tag}-${i}`)
    yield* pipeline.command(callId, {
      _tag: 'CreateCall',
      callConnectionId: callId,
      serverCallId: CoreIds.unsafe.serverCallId(`server-${tag}-${i}`),
      correlationId: CoreIds.unsafe.correlationId(`corr-${tag}-${i}`),
      callbackUri,
      source: app,
      targets: [alice],
    })
    for (;;) {
      const { state } = yield* pipeline.load(callId)
      if (state.status === 'connected') break
      yield* Effect.sleep(2)
    }
    yield* pipeline.command(callId, {
      _tag: 'PlayToAll',
      sources: [PlaySource.file('https://example.test/welcome.wav')],
      loop: false,
      interrupt: false,
      operationContext: 'welcome',
    })
    yield* pipeline.command(callId, {
      _tag: 'SendDtmfTones',
      target: alice,
      tones: ['one', 'two'],
      operationContext: 'dtmf-out',
    })
    for (;;) {
      const { state } = yield* pipeline.load(callId)
      if (state.main.length === 0 && state.sub === null) break
      yield* Effect.sleep(2)
    }
    yield* pipeline.command(callId, { _tag: 'HangUp', forEveryone: true })
    return callId
  })
