/** DTMF synthesis: tone pairs with configurable timing, level, twist and frequency offset. */
import * as Dtmf from './Dtmf.js'
import * as Level from './Level.js'

export interface Options {
  /** Sample rate in Hz (default 8000). */
  readonly sampleRate?: number
  /** Length of each tone in ms (default 100). */
  readonly toneMs?: number
  /** Silence between tones in ms (default 100). */
  readonly gapMs?: number
  /** Silence before the first tone in ms (default 0). */
  readonly leadMs?: number
  /** Silence after the last tone in ms (default 0). */
  readonly tailMs?: number
  /**
   * Mean level of the two tones in dBFS, each tone measured as a sine (0 dBFS = peak 1.0).
   * Default -10. With twist `t` the row tone is at `level - t/2` and the column tone at
   * `level + t/2`.
   */
  readonly levelDbfs?: number
  /** Column level minus row level in dB (default 0). */
  readonly twistDb?: number
  /** Relative frequency offset applied to both tones, e.g. 0.015 for +1.5% (default 0). */
  readonly frequencyOffset?: number
  /** Relative offset of the row tone only; overrides `frequencyOffset` for the row. */
  readonly rowOffset?: number
  /** Relative offset of the column tone only; overrides `frequencyOffset` for the column. */
  readonly columnOffset?: number
}

export interface ToneSpec {
  readonly sampleRate: number
  readonly rowHz: number
  readonly columnHz: number
  readonly rowAmplitude: number
  readonly columnAmplitude: number
}

/** The exact frequencies and amplitudes `synthesize` uses for `key`. */
export const toneSpec = (key: Dtmf.Key, options: Options = {}): ToneSpec => {
  const sampleRate = options.sampleRate ?? 8000
  if (!(sampleRate >= 8000 && sampleRate <= 192000))
    throw new RangeError(`unsupported sample rate ${sampleRate}`)
  const level = options.levelDbfs ?? -10
  const twist = options.twistDb ?? 0
  const f = Dtmf.frequencies(key)
  const rowOffset = options.rowOffset ?? options.frequencyOffset ?? 0
  const columnOffset = options.columnOffset ?? options.frequencyOffset ?? 0
  const rowAmplitude = Level.sineAmplitude(level - twist / 2)
  const columnAmplitude = Level.sineAmplitude(level + twist / 2)
  if (rowAmplitude + columnAmplitude > 1)
    throw new RangeError(`level ${level} dBFS with twist ${twist} dB would clip`)
  return {
    sampleRate,
    rowHz: f.rowHz * (1 + rowOffset),
    columnHz: f.columnHz * (1 + columnOffset),
    rowAmplitude,
    columnAmplitude,
  }
}

const samplesFor = (ms: number, rate: number): number => {
  if (!(ms >= 0)) throw new RangeError(`duration must be >= 0 ms, got ${ms}`)
  return Math.round((ms * rate) / 1000)
}

/** Writes one tone of `length` samples at `offset` into `out`. */
const writeTone = (out: Float32Array, offset: number, length: number, spec: ToneSpec): void => {
  const wr = (2 * Math.PI * spec.rowHz) / spec.sampleRate
  const wc = (2 * Math.PI * spec.columnHz) / spec.sampleRate
  for (let n = 0; n < length; n++)
    out[offset + n] = spec.rowAmplitude * Math.sin(wr * n) + spec.columnAmplitude * Math.sin(wc * n)
}

/** One tone of `toneMs` for `key`, without silence around it. */
export const tone = (key: Dtmf.Key, options: Options = {}): Float32Array => {
  const spec = toneSpec(key, options)
  const length = samplesFor(options.toneMs ?? 100, spec.sampleRate)
  const out = new Float32Array(length)
  writeTone(out, 0, length, spec)
  return out
}

/** Where each synthesized tone lies, in samples. */
export interface Placement {
  readonly key: Dtmf.Key
  readonly start: number
  readonly end: number
}

export interface Synthesis {
  readonly samples: Float32Array
  readonly sampleRate: number
  readonly placements: ReadonlyArray<Placement>
}

/** Synthesizes a key string ("123#") as tones separated by gaps, with placements. */
export const render = (
  keys: string | ReadonlyArray<Dtmf.Key>,
  options: Options = {},
): Synthesis => {
  const list = typeof keys === 'string' ? Dtmf.parseKeys(keys) : keys
  const rate = options.sampleRate ?? 8000
  const toneLength = samplesFor(options.toneMs ?? 100, rate)
  const gapLength = samplesFor(options.gapMs ?? 100, rate)
  const lead = samplesFor(options.leadMs ?? 0, rate)
  const tail = samplesFor(options.tailMs ?? 0, rate)
  const total = lead + tail + list.length * toneLength + Math.max(0, list.length - 1) * gapLength
  const samples = new Float32Array(total)
  const placements: Placement[] = []
  let offset = lead
  for (const key of list) {
    writeTone(samples, offset, toneLength, toneSpec(key, options))
    placements.push({ key, start: offset, end: offset + toneLength })
    offset += toneLength + gapLength
  }
  return { samples, sampleRate: rate, placements }
}

/** Synthesizes a key string ("123#") as tones separated by gaps. */
export const synthesize = (
  keys: string | ReadonlyArray<Dtmf.Key>,
  options: Options = {},
): Float32Array => render(keys, options).samples
