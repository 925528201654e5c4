import { Tone } from '@switchboard/core'
import type { Dtmf } from '@switchboard/dsp'
import { DtmfDetector, DtmfSynth } from '@switchboard/dsp'

type ToneT = Tone.Tone

/**
 * The audio path of DTMF: keys become tone pairs synthesized by `@switchboard/dsp`, and what the
 * other end hears is what the dsp detector finds in that audio (not the list of keys sent).
 */

/** The rate of the telephone network leg the detector listens on. */
export const NETWORK_RATE = 8000

export interface Timing {
  /** Length of each tone (ms). */
  readonly toneMs: number
  /** Silence between tones (ms). */
  readonly gapMs: number
}

/** Tones the service sends (SendDtmfTones): 100 ms tones, 100 ms gaps. */
export const serviceTiming: Timing = { toneMs: 100, gapMs: 100 }
/** Keys a simulated party presses, unless told otherwise: 120 ms presses, 120 ms apart. */
export const keypadTiming: Timing = { toneMs: 120, gapMs: 120 }

/** Presses shorter than the detector's minimum are not keys; longer than 5 s is a stuck key. */
export const MIN_TONE_MS = 20
export const MAX_TONE_MS = 5000
export const MIN_GAP_MS = 20
export const MAX_GAP_MS = 5000

const keysOf = (tones: ReadonlyArray<ToneT>): ReadonlyArray<Dtmf.Key> =>
  tones.map((t) => Tone.toKey(t) as Dtmf.Key)

/** The tones as audio at `sampleRate`, level -10 dBFS. */
export const synthesize = (
  tones: ReadonlyArray<ToneT>,
  timing: Timing,
  sampleRate: number,
): Float32Array =>
  DtmfSynth.synthesize(keysOf(tones), {
    sampleRate,
    toneMs: timing.toneMs,
    gapMs: timing.gapMs,
  })

/** The length of the audio of `n` tones. */
export const durationMs = (n: number, timing: Timing): number =>
  n === 0 ? 0 : n * timing.toneMs + (n - 1) * timing.gapMs

/** A key the detector found: the tone and when it was released (ms from the audio's start). */
export interface Heard {
  readonly tone: ToneT
  readonly key: string
  readonly startMs: number
  readonly endMs: number
}

/** Runs the dsp detector over audio: the keys it finds, in order. */
export const detect = (samples: Float32Array, sampleRate: number): ReadonlyArray<Heard> =>
  DtmfDetector.detectAll(samples, sampleRate).flatMap((d) => {
    const tone = Tone.fromKey(d.key)
    return tone === null ? [] : [{ tone, key: d.key, startMs: d.startMs, endMs: d.endMs }]
  })

/** Sends the tones through the network leg and listens: what the far end hears. */
export const transmit = (tones: ReadonlyArray<ToneT>, timing: Timing): ReadonlyArray<Heard> =>
  detect(synthesize(tones, timing, NETWORK_RATE), NETWORK_RATE)
