import { randomUUID } from 'node:crypto'
import type { Instruction, Signal } from '@switchboard/core'
import { Streaming } from '@switchboard/wire'
import { Effect, Either } from 'effect'
import * as Socket from './Socket.js'
import type * as Speech from './Speech.js'
import * as World from './World.js'

/**
 * Transcription: a WebSocket to the app's `transportUrl`, TranscriptionMetadata, then
 * TranscriptionData for what the simulated parties say. The text is exactly what the party was
 * told to say through the simulator API (there is no speech recognizer): intermediate results as
 * each word ends (with `enableIntermediateResults`), then a final result with offsets and
 * durations in 100-ns ticks counted from the start of the session.
 */

export type CallIds = Socket.CallIds

/** 100-ns ticks per ms. */
export const TICKS_PER_MS = 10_000

/** The confidence reported for every result (the text is known, not recognized). */
export const CONFIDENCE = 0.95

const ticks = (ms: number): number => Math.round(ms * TICKS_PER_MS)

/** The TranscriptionData message for the first `count` words of an utterance. */
export const data = (
  session: World.TranscriptionHandle,
  participantRawID: string,
  startAudioMs: number,
  utterance: Speech.Utterance,
  count: number,
  resultStatus: 'Intermediate' | 'Final',
): string => {
  const words = utterance.words.slice(0, count)
  const last = words.at(-1)
  const base = startAudioMs - session.startAudioMs
  const durationMs =
    resultStatus === 'Final'
      ? utterance.durationMs
      : last === undefined
        ? 0
        : last.offsetMs + last.durationMs
  return Streaming.encode({
    kind: 'TranscriptionData',
    transcriptionData: {
      text: resultStatus === 'Final' ? utterance.text : words.map((w) => w.text).join(' '),
      format: 'display',
      confidence: CONFIDENCE,
      offset: ticks(base),
      duration: ticks(durationMs),
      words: words.map((w) => ({
        text: w.text,
        offset: ticks(base + w.offsetMs),
        duration: ticks(w.durationMs),
      })),
      participantRawID,
      resultStatus,
    },
  })
}

export const run = (
  world: World.WorldService,
  call: World.CallRecord,
  instruction: Instruction.OpenTranscription,
  report: (signal: Signal.Signal) => void,
  ids: CallIds,
): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { config, operationId } = instruction
      const connected = yield* Effect.either(Socket.connectToApp(config.transportUrl, ids))
      if (Either.isLeft(connected)) {
        report({ _tag: 'TranscriptionFailed', operationId, reason: connected.left.message })
        return
      }
      const socket = connected.right
      report({ _tag: 'TranscriptionConnected', operationId })
      socket.send(
        Streaming.encode({
          kind: 'TranscriptionMetadata',
          transcriptionMetadata: {
            subscriptionId: randomUUID(),
            locale: instruction.locale,
            callConnectionId: ids.callConnectionId,
            correlationId: ids.correlationId,
            ...(config.speechModelEndpointId !== undefined
              ? { speechRecognitionModelEndpointId: config.speechModelEndpointId }
              : {}),
          },
        }),
      )
      const start = (yield* World.now) * world.config.timeScale
      const handle: World.TranscriptionHandle = {
        locale: instruction.locale,
        enableIntermediateResults: config.enableIntermediateResults,
        startAudioMs: start,
        send: (text) => void socket.send(text),
      }
      call.transcription = handle
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          if (call.transcription === handle) call.transcription = null
        }),
      )
      const dropped = yield* Socket.closed(socket)
      if (!socket.closing()) {
        if (call.transcription === handle) call.transcription = null
        report({ _tag: 'TranscriptionFailed', operationId, reason: dropped })
      }
    }),
  )
