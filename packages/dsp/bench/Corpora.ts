/**
 * The synthetic corpora of the DTMF benchmark (`dtmf.ts`), generated the same way from the same
 * seeds, for other checks to use: `switchboard dtmf decode`'s tests decode them through the CLI
 * and compare with the library. `speech` makes the talk-off corpus when espeak-ng is installed.
 */
import { Dtmf, DtmfSynth, Resampler, WavWriter } from '../src/index.js'
import * as Signals from '../test/support/Signals.js'
import * as Speech from '../test/support/Speech.js'

export const RATE = 8000
export const CORPUS_SECONDS = 45

export interface Style {
  readonly toneMs: readonly [number, number]
  readonly gapMs: readonly [number, number]
  readonly levelDbfs: readonly [number, number]
  readonly twistDb: readonly [number, number]
  readonly offset: readonly [number, number]
  readonly snrDb?: number
}

export interface Corpus {
  readonly name: string
  readonly truth: string
  readonly wav: Uint8Array
  readonly seconds: number
}

const VARIED = {
  toneMs: [50, 150],
  gapMs: [50, 150],
  levelDbfs: [-25, -8],
  twistDb: [-4, 4],
  offset: [-0.01, 0.01],
} as const
const NOISY = { ...VARIED, levelDbfs: [-17, -13], twistDb: [-3, 3] } as const
const FAST = {
  toneMs: [40, 40],
  gapMs: [40, 40],
  levelDbfs: [-20, -10],
  twistDb: [-2, 2],
  offset: [0, 0],
} as const

/** The benchmark's corpora by name and style, in order (corpus i has seed 1000 + i). */
export const STYLES: ReadonlyArray<readonly [string, Style]> = [
  ['clean', VARIED],
  ['noise-20dB', { ...NOISY, snrDb: 20 }],
  ['noise-10dB', { ...NOISY, snrDb: 10 }],
  ['noise-6dB', { ...NOISY, twistDb: [0, 0], snrDb: 6 }],
  ['fast-40/40', FAST],
  ['fast-40/40-20dB', { ...FAST, snrDb: 20 }],
]

/** About `CORPUS_SECONDS` of random keys in `style`, from `seed`, with the keys pressed. */
export const generate = (style: Style, seed: number): { samples: Float32Array; truth: string } => {
  const rnd = Signals.prng(seed)
  const between = ([lo, hi]: readonly [number, number]): number => lo + (hi - lo) * rnd()
  const pieces: Float32Array[] = [new Float32Array(RATE / 5)]
  let length = pieces[0]!.length
  let truth = ''
  while (length < CORPUS_SECONDS * RATE) {
    const key = Dtmf.KEYS[Math.floor(rnd() * 16)]!
    const tone = DtmfSynth.tone(key, {
      sampleRate: RATE,
      toneMs: Math.round(between(style.toneMs)),
      levelDbfs: between(style.levelDbfs),
      twistDb: between(style.twistDb),
      frequencyOffset: between(style.offset),
    })
    const gap = new Float32Array(Math.round((between(style.gapMs) * RATE) / 1000))
    pieces.push(tone, gap)
    length += tone.length + gap.length
    truth += key
  }
  pieces.push(new Float32Array(RATE / 5))
  let samples: Float32Array = new Float32Array(length + RATE / 5)
  let o = 0
  for (const p of pieces) {
    samples.set(p, o)
    o += p.length
  }
  if (style.snrDb !== undefined)
    samples = Signals.addNoise(samples, Signals.activePower(samples), style.snrDb, seed * 7 + 1)
  return { samples, truth }
}

/** The synthetic corpora as 8 kHz 16-bit WAV files. */
export const synthetic = (): Corpus[] =>
  STYLES.map(([name, style], i) => {
    const { samples, truth } = generate(style, 1000 + i)
    return {
      name,
      truth,
      wav: WavWriter.write(samples, { sampleRate: RATE }),
      seconds: samples.length / RATE,
    }
  })

/** The speech (talk-off) corpus, no digit in it: undefined when espeak-ng is not installed. */
export const speech = (): Corpus | undefined => {
  if (!Speech.espeakAvailable()) return undefined
  const utterances = Speech.VOICES.flatMap((voice, v) =>
    Speech.SENTENCES.map((text, s) => ({ voice, text, pitch: [30, 60, 90][(v + s) % 3]! })),
  )
  const spoken = Speech.speak(utterances)
  const parts = spoken.map((u) => Resampler.resample(u.samples, u.sampleRate, RATE))
  const total = parts.reduce((n, p) => n + p.length + RATE / 4, 0)
  const samples = new Float32Array(total)
  let o = 0
  for (const p of parts) {
    samples.set(p, o)
    o += p.length + RATE / 4
  }
  return {
    name: 'speech (talk-off)',
    truth: '',
    wav: WavWriter.write(samples, { sampleRate: RATE }),
    seconds: total / RATE,
  }
}

/** Missed and extra digits of `got` against `truth`, by longest common subsequence. */
export const score = (truth: string, got: string): { missed: number; extra: number } => {
  const n = truth.length
  const m = got.length
  let prev = new Uint32Array(m + 1)
  let cur = new Uint32Array(m + 1)
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++)
      cur[j] = truth[i - 1] === got[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!)
    ;[prev, cur] = [cur, prev]
  }
  const common = prev[m]!
  return { missed: n - common, extra: m - common }
}
