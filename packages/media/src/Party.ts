import type { Identifier, Signal, Tone } from '@switchboard/core'
import { Effect } from 'effect'
import * as AudioPath from './AudioPath.js'
import { push } from './Phone.js'
import * as Speech from './Speech.js'
import * as Transcription from './Transcription.js'
import * as World from './World.js'

/**
 * What a simulated party does on its own: press keys and speak. Both become audio on the party's
 * leg (heard by media streaming) and, after the audio path, signals to the call: a key press is
 * what the DTMF detector finds in the synthesized tones (TonePressed when each tone ends), speech
 * is the text it was given (SpeechRecognized when the utterance ends, TranscriptionData on the
 * way).
 */

export type SignalSink = (signal: Signal.Signal) => Effect.Effect<void>

let counter = 0

export interface Pressed {
  readonly heard: ReadonlyArray<AudioPath.Heard>
  readonly durationMs: number
}

/** The party presses keys now. Returns at once with what the service will hear and when. */
export const press = (
  world: World.WorldService,
  call: World.CallRecord,
  participant: Identifier.Identifier,
  leg: World.Leg,
  tones: ReadonlyArray<Tone.Tone>,
  timing: AudioPath.Timing,
  lastPressId: number,
  signal: SignalSink,
): Effect.Effect<Pressed> =>
  Effect.gen(function* () {
    const heard = AudioPath.transmit(tones, timing)
    const durationMs = AudioPath.durationMs(tones.length, timing)
    const start = yield* World.audioNow(world.config)
    World.prune(leg, start)
    leg.segments.push({
      startAudioMs: start,
      durationMs,
      kind: 'tones',
      render: (rate) => AudioPath.synthesize(tones, timing, rate),
    })
    leg.pressId = Math.max(leg.pressId, lastPressId)
    const raw = leg.phone.rawId
    yield* world.fork(
      World.keys.press(call.id, raw, ++counter),
      Effect.gen(function* () {
        let elapsed = 0
        for (const h of heard) {
          yield* World.sleep(world.config, h.endMs - elapsed)
          elapsed = h.endMs
          if (leg.status !== 'connected') return
          const stream = call.stream
          if (stream !== null && stream.enableDtmfTones) stream.sendDtmf(h.key)
          yield* signal({ _tag: 'TonePressed', participant, tone: h.tone, pressId: ++leg.pressId })
        }
      }),
    )
    return { heard, durationMs }
  })

/** The party says `text` now. Returns at once with the utterance's timing. */
export const speak = (
  world: World.WorldService,
  call: World.CallRecord,
  participant: Identifier.Identifier,
  leg: World.Leg,
  text: string,
  lastSpeechId: number,
  signal: SignalSink,
): Effect.Effect<Speech.Utterance> =>
  Effect.gen(function* () {
    const utterance = Speech.utterance(text)
    const start = yield* World.audioNow(world.config)
    World.prune(leg, start)
    leg.segments.push({
      startAudioMs: start,
      durationMs: utterance.durationMs,
      kind: 'speech',
      render: (rate) => Speech.render(utterance, rate),
    })
    leg.speechId = Math.max(leg.speechId, lastSpeechId)
    const raw = leg.phone.rawId
    yield* world.fork(
      World.keys.speech(call.id, raw, ++counter),
      Effect.gen(function* () {
        let elapsed = 0
        for (let i = 0; i < utterance.words.length; i++) {
          const w = utterance.words[i]!
          const end = w.offsetMs + w.durationMs
          yield* World.sleep(world.config, end - elapsed)
          elapsed = end
          if (leg.status !== 'connected') return
          const t = call.transcription
          if (t !== null && t.enableIntermediateResults && i < utterance.words.length - 1)
            t.send(Transcription.data(t, raw, start, utterance, i + 1, 'Intermediate'))
        }
        yield* World.sleep(world.config, utterance.durationMs - elapsed)
        if (leg.status !== 'connected') return
        const t = call.transcription
        if (t !== null)
          t.send(Transcription.data(t, raw, start, utterance, utterance.words.length, 'Final'))
        yield* signal({
          _tag: 'SpeechRecognized',
          participant,
          text: utterance.text.trim(),
          confidence: Transcription.CONFIDENCE,
          speechId: ++leg.speechId,
        })
      }),
    )
    return utterance
  })

/** Logs a digit the phone heard. */
export const heardDigit = (leg: World.Leg, callId: string, h: AudioPath.Heard, at: string) =>
  push(leg.phone.heard, { callConnectionId: callId, tone: h.tone, key: h.key, at })
