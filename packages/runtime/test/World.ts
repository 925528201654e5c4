import type { Ids, Instruction, Signal } from '@switchboard/core'
import { Effect, Layer } from 'effect'
import { MediaPlane } from '../src/MediaPlane.js'

/**
 * A scripted media plane for the runtime's tests: parties answer after 300 ms, audio lasts one
 * second, tones take 100 ms each. Everything it was asked is recorded.
 */
export const scripted = (
  log: Array<{ callId: string; instruction: Instruction.MediaInstruction }>,
) =>
  Layer.succeed(MediaPlane, {
    execute: (
      callId: Ids.CallConnectionId,
      instruction: Instruction.MediaInstruction,
      report: (s: Signal.Signal) => void,
    ) =>
      Effect.gen(function* () {
        log.push({ callId, instruction })
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
              yield* later(300, { _tag: 'PartyAnswered', participant })
            return
          case 'StartPlayback':
            yield* later(0, {
              _tag: 'PlaybackStarted',
              operationId: instruction.operationId,
              durationMs: 1_000,
            })
            yield* later(1_000, { _tag: 'PlaybackFinished', operationId: instruction.operationId })
            return
          case 'SendTones':
            yield* later(instruction.tones.length * 100, {
              _tag: 'TonesSent',
              operationId: instruction.operationId,
            })
            return
          default:
            return
        }
      }),
  })
