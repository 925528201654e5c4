import * as World from './World.js'

/**
 * What the call sounds like over one 20 ms frame: the audio each connected, unmuted party is
 * making (key tones, speech), read off the world's audio timeline.
 */

export const FRAME_MS = 20

const cache = new WeakMap<World.Segment, Map<number, Float32Array>>()

const samplesOf = (segment: World.Segment, rate: number): Float32Array => {
  let byRate = cache.get(segment)
  if (byRate === undefined) {
    byRate = new Map()
    cache.set(segment, byRate)
  }
  let s = byRate.get(rate)
  if (s === undefined) {
    s = segment.render(rate)
    byRate.set(rate, s)
  }
  return s
}

/** The party's audio over [fromAudioMs, fromAudioMs + 20 ms); null when it is silent. */
export const partyFrame = (
  leg: World.Leg,
  fromAudioMs: number,
  rate: number,
): Float32Array | null => {
  const n = (rate * FRAME_MS) / 1000
  const toAudioMs = fromAudioMs + FRAME_MS
  let out: Float32Array | null = null
  for (const segment of leg.segments) {
    // segments are in start order: none after this one can overlap
    if (segment.startAudioMs >= toAudioMs) break
    if (segment.startAudioMs + segment.durationMs <= fromAudioMs) continue
    const samples = samplesOf(segment, rate)
    const first = Math.round(((fromAudioMs - segment.startAudioMs) * rate) / 1000)
    for (let i = 0; i < n; i++) {
      const v = samples[first + i]
      if (v === undefined || v === 0) continue
      out ??= new Float32Array(n)
      out[i] = out[i]! + v
    }
  }
  return out
}

export interface Frame {
  readonly participantRawID?: string
  /** null: silence. */
  readonly samples: Float32Array | null
}

const audible = (call: World.CallRecord) => World.connected(call).filter(([, leg]) => !leg.muted)

/** One mixed frame of every audible party. */
export const mixed = (call: World.CallRecord, fromAudioMs: number, rate: number): Frame => {
  let out: Float32Array | null = null
  for (const [, leg] of audible(call)) {
    const f = partyFrame(leg, fromAudioMs, rate)
    if (f === null) continue
    if (out === null) out = f
    else for (let i = 0; i < f.length; i++) out[i] = out[i]! + f[i]!
  }
  return { samples: out }
}

/**
 * One frame per party (at most `max`, those making sound first), each with its raw id; a single
 * silent frame when nobody is in the call.
 */
export const unmixed = (
  call: World.CallRecord,
  fromAudioMs: number,
  rate: number,
  max: number,
): ReadonlyArray<Frame> => {
  const frames = audible(call).map(([raw, leg]) => ({
    participantRawID: raw,
    samples: partyFrame(leg, fromAudioMs, rate),
  }))
  if (frames.length === 0) return [{ samples: null }]
  const loud = frames.filter((f) => f.samples !== null)
  const quiet = frames.filter((f) => f.samples === null)
  return [...loud, ...quiet].slice(0, Math.max(1, max))
}
