import { randomUUID } from 'node:crypto'
import type { Instruction, Signal } from '@switchboard/core'
import { Base64, Pcm } from '@switchboard/dsp'
import { Streaming } from '@switchboard/wire'
import { Effect, Either } from 'effect'
import type * as Phone from './Phone.js'
import { push } from './Phone.js'
import * as Mixer from './Mixer.js'
import * as Socket from './Socket.js'
import * as World from './World.js'

/**
 * Media streaming: a WebSocket to the app's `transportUrl`, AudioMetadata, then one AudioData
 * message per 20 ms of audio time (per party when unmixed) carrying the parties' real audio:
 * silence flagged `silent`, key tones, synthetic speech. DtmfData for each key detected when
 * `enableDtmfTones`. With `enableBidirectional`, audio the app sends back is played to the call
 * (logged on each listener's phone) and `stopAudio` cuts it short.
 */

export type CallIds = Socket.CallIds

const rateOf = (format: 'pcm16KMono' | 'pcm24KMono'): 16000 | 24000 =>
  format === 'pcm24KMono' ? 24000 : 16000

const isoOf = (ms: number): string => {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00.000Z' : d.toISOString()
}

/** Inbound audio from the app: what each listener is hearing of it in this session. */
const outbound = (call: World.CallRecord, operationId: string, rate: number) => {
  let entries: Array<Phone.Played> = []
  return {
    audio: (bytes: number, at: string) => {
      const ms = (bytes / 2 / rate) * 1000
      if (entries.length === 0)
        entries = World.listeners(call).map((leg) => {
          const e: Phone.Played = {
            callConnectionId: call.id,
            kind: 'streamAudio',
            operationId,
            sources: ['bidirectional media stream'],
            durationMs: 0,
            loop: false,
            startedAt: at,
            status: 'playing',
          }
          push(leg.phone.played, e)
          return e
        })
      for (const e of entries) e.durationMs = (e.durationMs ?? 0) + ms
    },
    stop: (at: string, status: 'stopped' | 'finished') => {
      for (const e of entries) {
        e.status = status
        e.endedAt = at
      }
      entries = []
    },
  }
}

export const run = (
  world: World.WorldService,
  call: World.CallRecord,
  instruction: Instruction.OpenMediaStream,
  report: (signal: Signal.Signal) => void,
  ids: CallIds,
): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { config } = instruction
      const operationId = instruction.operationId
      const rate = rateOf(config.audioFormat)
      const connected = yield* Effect.either(Socket.connectToApp(config.transportUrl, ids))
      if (Either.isLeft(connected)) {
        report({ _tag: 'MediaStreamFailed', operationId, reason: connected.left.message })
        return
      }
      const socket = connected.right
      const subscriptionId = randomUUID()
      const silence = Base64.encode(new Uint8Array(Pcm.frameBytes(rate)))
      const played = outbound(call, operationId, rate)
      let clockNow = yield* World.now
      const iso = () => isoOf(clockNow)

      if (config.enableBidirectional)
        socket.ws.on('message', (data, isBinary) => {
          if (isBinary) return
          const decoded = Streaming.decodeInbound(data.toString())
          if (decoded._tag === 'Left') return
          const message = decoded.right
          if (message.kind === 'audioData') {
            if (message.audioData.isSilent === true) return
            let bytes: number
            try {
              bytes = Base64.decode(message.audioData.data).length
            } catch {
              return
            }
            played.audio(bytes, iso())
          } else played.stop(iso(), 'stopped')
        })

      report({ _tag: 'MediaStreamConnected', operationId })
      socket.send(Streaming.encode(Streaming.audioMetadata(subscriptionId, rate)))
      const handle: World.StreamHandle = {
        enableDtmfTones: config.enableDtmfTones,
        sendDtmf: (key) => void socket.send(Streaming.encode(Streaming.dtmfData(key))),
      }
      call.stream = handle
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          played.stop(iso(), 'finished')
          if (call.stream === handle) call.stream = null
        }),
      )

      const frame = (samples: Float32Array | null) =>
        samples === null ? silence : Base64.encode(Pcm.float32ToBytes(samples))

      const pump = Effect.gen(function* () {
        const t0 = yield* World.now
        const a0 = t0 * world.config.timeScale
        for (let k = 0; ; k++) {
          const due = t0 + ((k + 1) * Mixer.FRAME_MS) / world.config.timeScale
          const t = yield* World.now
          if (due > t) yield* Effect.sleep(Math.ceil(due - t))
          clockNow = yield* World.now
          const from = a0 + k * Mixer.FRAME_MS
          const timestamp = isoOf(t0 + (k * Mixer.FRAME_MS) / world.config.timeScale)
          const frames =
            config.audioChannelType === 'unmixed'
              ? Mixer.unmixed(call, from, rate, world.config.maxUnmixedSpeakers)
              : [Mixer.mixed(call, from, rate)]
          for (const f of frames)
            socket.send(
              Streaming.encode(
                Streaming.audioData(
                  timestamp,
                  frame(f.samples),
                  f.samples === null,
                  f.participantRawID,
                ),
              ),
            )
          if (k % 500 === 499) for (const [, leg] of World.connected(call)) World.prune(leg, from)
        }
      })

      const dropped = yield* Effect.raceFirst(
        Effect.map(pump, () => null),
        Socket.closed(socket),
      )
      if (dropped !== null && !socket.closing()) {
        if (call.stream === handle) call.stream = null
        report({ _tag: 'MediaStreamFailed', operationId, reason: dropped })
      }
    }),
  )
