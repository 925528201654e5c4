/**
 * A streaming DTMF receiver built on the Goertzel algorithm, following the receiver rules of
 * ITU-T Q.24: frequency tolerance, twist, minimum tone length, pause recognition and
 * protection against talk-off (speech or music mistaken for digits).
 *
 * How it works (all at 8 kHz; other rates are resampled on the way in, and a DC blocker
 * removes any offset):
 * - The signal is cut into 4 ms blocks (32 samples). For each block, Goertzel filters give the
 *   complex DFT value at the 8 DTMF frequencies, and the block's energy is summed.
 * - Every 4 ms, the last four blocks are combined (with the right phase rotations) into the
 *   exact DFT of a 16 ms window: a sliding 16 ms analysis with a 4 ms hop for the cost of a
 *   single pass of Goertzel filters.
 * - The phase advance of each bin from one window to the next measures the tone's frequency
 *   (to within a few Hz); the amplitude is corrected for the window's response at that offset,
 *   so level and twist are measured exactly anywhere within the tolerance.
 * - A window is a "hit" for a key when: each tone is at least `MIN_TONE_LEVEL_DBFS`; the twist
 *   is within limits (plus `WINDOW_TWIST_MARGIN_DB`); each tone stands `MIN_RELATIVE_PEAK_DB`
 *   above the other tones of its group (net of the other tone's leakage); the two tones carry
 *   `MIN_WINDOW_ENERGY_RATIO` of the window's energy; neither has a second harmonic above
 *   `MAX_SECOND_HARMONIC_DB`; and no guard frequency (`GUARD_HZ`, between and around the
 *   groups) comes within `MAX_GUARD_DB` of the weaker tone. Pure tone pairs pass; voices and
 *   instruments have harmonics at the guard frequencies and fail.
 * - Consecutive hits of one key make a run; `RELEASE_HOPS` windows in a row without that key
 *   (about 28 ms) end it, so short dropouts inside one press are bridged and a 40 ms pause
 *   always separates two presses. The run's start and end are then placed to about 1-2 ms by
 *   looking at how much of the tone each 4 ms block holds.
 * - A run becomes a detection when: it has `MIN_HITS` hits, making `MIN_HIT_DENSITY` of its
 *   windows; it lasted at least `MIN_TONE_MS` (40 ms is accepted, 30 ms is not); both tones'
 *   mean frequencies are within `MAX_FREQUENCY_DEVIATION` of nominal (accept 1.5%, reject
 *   3.5%) and the pair drifts less than `MAX_FREQUENCY_DRIFT_HZ_PER_S`; its mean twist is within the
 *   limits; and its tones carry `MIN_ENERGY_RATIO` of its energy.
 *
 * Detections are reported when the key is released (the run ends), once per press.
 * The thresholds are constants on purpose: the service and the CLI share them unchanged.
 */
import * as Dtmf from './Dtmf.js'
import * as Goertzel from './Goertzel.js'
import * as Level from './Level.js'
import * as Resampler from './Resampler.js'

/** The rate the detector works at; other input rates are resampled to it. */
export const SAMPLE_RATE = 8000
/** Block (and hop) length: 4 ms. */
export const BLOCK_SAMPLES = 32
/** Blocks per analysis window. */
export const WINDOW_BLOCKS = 4
/** Analysis window: 16 ms (62.5 Hz bins). */
export const WINDOW_SAMPLES = BLOCK_SAMPLES * WINDOW_BLOCKS

/** Lowest accepted level of each tone (0 dBFS = full-scale sine). */
export const MIN_TONE_LEVEL_DBFS = -40
/** Largest accepted normal twist (column louder than row), in dB. */
export const MAX_NORMAL_TWIST_DB = 10
/** Largest accepted reverse twist (row louder than column), in dB. */
export const MAX_REVERSE_TWIST_DB = 10
/**
 * Extra twist allowed in a single 16 ms window, in dB, as noise makes one window's estimate
 * wander; the press as a whole (its mean levels) must meet the twist limits exactly.
 */
export const WINDOW_TWIST_MARGIN_DB = 3
/** Each tone must exceed every other tone of its group by this much, in dB. */
export const MIN_RELATIVE_PEAK_DB = 8
/**
 * The two tones must carry at least this fraction of the energy over a whole press (its
 * inner windows), and `MIN_WINDOW_ENERGY_RATIO` of each window's energy. White noise at
 * 6 dB SNR leaves them 0.8; voices resembling a tone pair reach about 0.7.
 */
export const MIN_ENERGY_RATIO = 0.7
export const MIN_WINDOW_ENERGY_RATIO = 0.65
/** Second harmonic of either tone must stay this far below the tone, in dB (negative). */
export const MAX_SECOND_HARMONIC_DB = -10
/**
 * Guard frequencies, away from every DTMF tone: below the row group, between the groups and
 * above the column group. Voiced speech and instruments have harmonics there; DTMF does not.
 */
export const GUARD_HZ: ReadonlyArray<number> = [540, 610, 1010, 1075, 1140, 1760, 1850]
/** Every guard frequency must stay this far below the weaker tone, in dB (negative). */
export const MAX_GUARD_DB = -8
/** Largest accepted deviation of either tone's mean frequency from nominal (2%). */
export const MAX_FREQUENCY_DEVIATION = 0.02
/** Shortest accepted tone, in ms: 40 ms is accepted, 30 ms is rejected. */
export const MIN_TONE_MS = 35
/**
 * Largest accepted frequency drift of a press, in Hz per second at 1 kHz (0.06% per ms): for
 * each tone, the mean frequency of the second half of the press minus that of the first half,
 * over the time between them (first 256 ms of a press), relative to the tone's frequency;
 * the two are averaged weighted by the tones' power. Generators hold their frequencies;
 * voices glide, all harmonics together.
 */
export const MAX_FREQUENCY_DRIFT_HZ_PER_S = 600
/** Windows without the key, in a row, that end a press (7 × 4 ms). */
export const RELEASE_HOPS = 7
/** Fewest hit windows a press needs. */
export const MIN_HITS = 5
/**
 * Fraction of the windows from a press's first hit to its last that must be hits. A held
 * tone hits every window even in noise; speech that resembles a tone only flickers.
 */
export const MIN_HIT_DENSITY = 0.75
/** Lowest and highest input sample rates. */
export const MIN_SAMPLE_RATE = 8000
export const MAX_SAMPLE_RATE = 48000

export interface Detection {
  readonly key: Dtmf.Key
  /** Start of the tone, in ms from the start of the stream. */
  readonly startMs: number
  /** End of the tone, in ms from the start of the stream. */
  readonly endMs: number
  /** Mean level of the two tones in dBFS (0 dBFS = full-scale sine). */
  readonly levelDbfs: number
  /** Column level minus row level, in dB. */
  readonly twistDb: number
}

export interface Detector {
  readonly sampleRate: number
  /** Feeds the next block of samples (any length); returns the presses it completed. */
  push(samples: Float32Array): ReadonlyArray<Detection>
  /** Ends the stream: returns the press still in progress, if it qualifies. */
  flush(): ReadonlyArray<Detection>
}

// ---------------------------------------------------------------------------------------------

const FREQS: ReadonlyArray<number> = [...Dtmf.ROW_HZ, ...Dtmf.COLUMN_HZ]
const NF = 8
const H = BLOCK_SAMPLES
const L = WINDOW_SAMPLES
const HISTORY = 16 // blocks of magnitude history kept for edge placement
const TRACK = 64 // hops of frequency track kept per press
const EDGE_PRESENCE = 0.4
const NONE: ReadonlyArray<Detection> = Object.freeze([])
/** Pole of the DC blocker in front of the analysis (an offset would spoil the energy ratio). */
const DC_POLE = 0.99

const MIN_AMPLITUDE = Level.sineAmplitude(MIN_TONE_LEVEL_DBFS)
const MAX_NORMAL_RATIO = Level.sineAmplitude(MAX_NORMAL_TWIST_DB + WINDOW_TWIST_MARGIN_DB)
const MAX_REVERSE_RATIO = Level.sineAmplitude(MAX_REVERSE_TWIST_DB + WINDOW_TWIST_MARGIN_DB)
const PEAK_POWER_RATIO = Math.pow(10, MIN_RELATIVE_PEAK_DB / 10)
const HARMONIC_RATIO = Level.sineAmplitude(MAX_SECOND_HARMONIC_DB)
const GUARD_RATIO = Level.sineAmplitude(MAX_GUARD_DB)
/** Purity frequencies: the 8 second harmonics (index f), then the guards (8 + g). */
const PURITY_HZ: ReadonlyArray<number> = [
  ...[...Dtmf.ROW_HZ, ...Dtmf.COLUMN_HZ].map((f) => 2 * f),
  ...GUARD_HZ,
]
const NP = PURITY_HZ.length
const purityCoef = new Float64Array(NP)
const purityCos = new Float64Array(NP)
const puritySin = new Float64Array(NP)
const purityOutRe = new Float64Array(NP)
const purityOutIm = new Float64Array(NP)
const purityRotRe = new Float64Array(NP * WINDOW_BLOCKS)
const purityRotIm = new Float64Array(NP * WINDOW_BLOCKS)
for (let q = 0; q < NP; q++) {
  const w = (2 * Math.PI * PURITY_HZ[q]!) / SAMPLE_RATE
  purityCoef[q] = 2 * Math.cos(w)
  purityCos[q] = Math.cos(w)
  puritySin[q] = Math.sin(w)
  purityOutRe[q] = Math.cos(-w * (BLOCK_SAMPLES - 1))
  purityOutIm[q] = Math.sin(-w * (BLOCK_SAMPLES - 1))
  for (let i = 0; i < WINDOW_BLOCKS; i++) {
    purityRotRe[q * WINDOW_BLOCKS + i] = Math.cos(-w * BLOCK_SAMPLES * i)
    purityRotIm[q * WINDOW_BLOCKS + i] = Math.sin(-w * BLOCK_SAMPLES * i)
  }
}
/** Offsets beyond this are not compensated (they are rejected anyway). */
const MAX_COMPENSATED = MAX_FREQUENCY_DEVIATION
/** The smallest window gain compensation undoes (the highest tone at the largest offset). */
const MIN_GAIN = Goertzel.rectangularGain(MAX_COMPENSATED * 1633, WINDOW_SAMPLES, SAMPLE_RATE)
/** Hits of a press on which every window gets the spectral purity tests. */
const PURITY_EVERY_HITS = 8
const HZ_PER_RADIAN = SAMPLE_RATE / (2 * Math.PI * H)

const coef = new Float64Array(NF)
/** e^{-jω(H-1)}: turns the Goertzel output into the block's DFT value. */
const outRe = new Float64Array(NF)
const outIm = new Float64Array(NF)
const cosW = new Float64Array(NF)
const sinW = new Float64Array(NF)
/** e^{-jωHi} for i = 0..3: aligns block i of a window to the window's start. */
const rotRe = new Float64Array(NF * WINDOW_BLOCKS)
const rotIm = new Float64Array(NF * WINDOW_BLOCKS)
for (let f = 0; f < NF; f++) {
  const w = (2 * Math.PI * FREQS[f]!) / SAMPLE_RATE
  coef[f] = 2 * Math.cos(w)
  cosW[f] = Math.cos(w)
  sinW[f] = Math.sin(w)
  outRe[f] = Math.cos(-w * (H - 1))
  outIm[f] = Math.sin(-w * (H - 1))
  for (let i = 0; i < WINDOW_BLOCKS; i++) {
    rotRe[f * WINDOW_BLOCKS + i] = Math.cos(-w * H * i)
    rotIm[f * WINDOW_BLOCKS + i] = Math.sin(-w * H * i)
  }
}

interface Run {
  key: Dtmf.Key
  row: number
  col: number
  firstHop: number
  lastHop: number
  hits: number
  misses: number
  /** Squared amplitudes of the first hit, and sums over the inner hits (not first, not last). */
  firstRow2: number
  firstCol2: number
  sumRow2: number
  sumCol2: number
  /** Sum of the inner hits' mean window powers. */
  sumPower: number
  counted: number
  pendingRow2: number
  pendingCol2: number
  pendingPower: number
  /** Sums of window-to-window phase products, for the average frequency. */
  zrRe: number
  zrIm: number
  zcRe: number
  zcIm: number
  /** Start, in samples at 8 kHz, once placed. */
  start: number
}

class Engine {
  readonly sampleRate: number
  readonly #resampler: Resampler.Resampler | undefined
  /** The current window's samples: block b lives at [(b % 4)·H, (b % 4 + 1)·H). */
  readonly #window = new Float32Array(L)
  #fill = 0
  /** Purity DFT values per frequency and ring slot, and the block each was computed for. */
  readonly #pxRe = new Float64Array(NP * WINDOW_BLOCKS)
  readonly #pxIm = new Float64Array(NP * WINDOW_BLOCKS)
  readonly #pStamp = new Float64Array(NP * WINDOW_BLOCKS).fill(-1)
  /** DC blocker state: previous input and output. */
  #dcX = 0
  #dcY = 0
  /** Index of the block being filled. */
  #block = 0
  readonly #xRe = new Float64Array(NF * WINDOW_BLOCKS)
  readonly #xIm = new Float64Array(NF * WINDOW_BLOCKS)
  readonly #energy = new Float64Array(WINDOW_BLOCKS)
  readonly #mag = new Float64Array(NF * HISTORY)
  readonly #wRe = new Float64Array(NF)
  readonly #wIm = new Float64Array(NF)
  readonly #pRe = new Float64Array(NF)
  readonly #pIm = new Float64Array(NF)
  /** The window before the previous one. */
  readonly #qRe = new Float64Array(NF)
  readonly #qIm = new Float64Array(NF)
  #havePrev = false
  #havePrev2 = false
  /**
   * Frequency offsets (Hz) of the current run's two tones measured over 8 ms (two hops),
   * which halves the error of the one-hop estimate; entry i is hop first+2+i.
   */
  readonly #trackRow = new Float64Array(TRACK)
  readonly #trackCol = new Float64Array(TRACK)
  #run: Run | undefined = undefined
  #out: Detection[] = []
  #done = false

  constructor(sampleRate: number) {
    if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE))
      throw new RangeError(
        `sample rate must be within ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz, got ${sampleRate}`,
      )
    this.sampleRate = sampleRate
    this.#resampler =
      sampleRate === SAMPLE_RATE ? undefined : Resampler.create(sampleRate, SAMPLE_RATE)
  }

  push(samples: Float32Array): ReadonlyArray<Detection> {
    if (this.#done) throw new Error('detector already flushed')
    this.#feed(this.#resampler ? this.#resampler.process(samples) : samples)
    return this.#take()
  }

  flush(): ReadonlyArray<Detection> {
    if (this.#done) return NONE
    if (this.#resampler) this.#feed(this.#resampler.flush())
    this.#done = true
    // Zeros: complete the current block and give a press in progress time to end.
    const pad = (H - this.#fill) % H
    this.#feed(new Float32Array(pad + H * (RELEASE_HOPS + WINDOW_BLOCKS)))
    if (this.#run) this.#close(this.#run, this.#block - 1)
    return this.#take()
  }

  #take(): ReadonlyArray<Detection> {
    if (this.#out.length === 0) return NONE
    const out = this.#out
    this.#out = []
    return out
  }

  #feed(x: Float32Array): void {
    const win = this.#window
    let i = 0
    while (i < x.length) {
      const slot = (this.#block & 3) * H
      const take = Math.min(H - this.#fill, x.length - i)
      // DC blocker: y[n] = x[n] - x[n-1] + R·y[n-1] (cut-off about 13 Hz).
      let px = this.#dcX
      let py = this.#dcY
      for (let k = 0, o = slot + this.#fill; k < take; k++) {
        const v = x[i + k]!
        py = v - px + DC_POLE * py
        px = v
        win[o + k] = py
      }
      this.#dcX = px
      this.#dcY = py
      this.#fill += take
      i += take
      if (this.#fill === H) {
        this.#fill = 0
        this.#endBlock(slot)
        this.#block++
      }
    }
  }

  #endBlock(slot: number): void {
    const win = this.#window
    const b = this.#block
    const ring = b & 3
    const hist = (b % HISTORY) * NF
    const end = slot + H
    let e = 0
    // Four Goertzel filters per pass over the block keeps their state in registers.
    for (let f = 0; f < NF; f += 4) {
      const c0 = coef[f]!
      const c1 = coef[f + 1]!
      const c2 = coef[f + 2]!
      const c3 = coef[f + 3]!
      let a1 = 0
      let a2 = 0
      let b1 = 0
      let b2 = 0
      let d1 = 0
      let d2 = 0
      let g1 = 0
      let g2 = 0
      for (let n = slot; n < end; n++) {
        const v = win[n]!
        if (f === 0) e += v * v
        const a0 = v + c0 * a1 - a2
        a2 = a1
        a1 = a0
        const b0 = v + c1 * b1 - b2
        b2 = b1
        b1 = b0
        const d0 = v + c2 * d1 - d2
        d2 = d1
        d1 = d0
        const g0 = v + c3 * g1 - g2
        g2 = g1
        g1 = g0
      }
      this.#store(f, a1, a2, ring, hist)
      this.#store(f + 1, b1, b2, ring, hist)
      this.#store(f + 2, d1, d2, ring, hist)
      this.#store(f + 3, g1, g2, ring, hist)
    }
    this.#energy[ring] = e
    if (b >= WINDOW_BLOCKS - 1) this.#analyse(b)
  }

  /** Turns the final Goertzel state of bin f into the block's DFT value, and records it. */
  #store(f: number, s1: number, s2: number, ring: number, hist: number): void {
    const yr = s1 - cosW[f]! * s2
    const yi = sinW[f]! * s2
    const re = yr * outRe[f]! - yi * outIm[f]!
    const im = yr * outIm[f]! + yi * outRe[f]!
    this.#xRe[f * WINDOW_BLOCKS + ring] = re
    this.#xIm[f * WINDOW_BLOCKS + ring] = im
    this.#mag[hist + f] = Math.sqrt(re * re + im * im)
  }

  /** Analyses the window made of blocks b-3..b. */
  #analyse(b: number): void {
    const wRe = this.#wRe
    const wIm = this.#wIm
    const first = (b + 1) & 3 // ring slot of block b-3
    let energy = 0
    for (let i = 0; i < WINDOW_BLOCKS; i++) energy += this.#energy[i]!
    const xRe = this.#xRe
    const xIm = this.#xIm
    const k1 = (first + 1) & 3
    const k2 = (first + 2) & 3
    const k3 = (first + 3) & 3
    for (let f = 0; f < NF; f++) {
      // W = Σ X_i · e^{-jωHi}; the first rotation is 1.
      const o = f * WINDOW_BLOCKS
      const r1 = rotRe[o + 1]!
      const i1 = rotIm[o + 1]!
      const r2 = rotRe[o + 2]!
      const i2 = rotIm[o + 2]!
      const r3 = rotRe[o + 3]!
      const i3 = rotIm[o + 3]!
      const a1 = xRe[o + k1]!
      const b1 = xIm[o + k1]!
      const a2 = xRe[o + k2]!
      const b2 = xIm[o + k2]!
      const a3 = xRe[o + k3]!
      const b3 = xIm[o + k3]!
      wRe[f] = xRe[o + first]! + a1 * r1 - b1 * i1 + a2 * r2 - b2 * i2 + a3 * r3 - b3 * i3
      wIm[f] = xIm[o + first]! + a1 * i1 + b1 * r1 + a2 * i2 + b2 * r2 + a3 * i3 + b3 * r3
    }
    const hit = energy > 0 ? this.#judge(b, energy) : false
    if (!hit) this.#miss(b)
    const run = this.#run
    const i = run ? b - run.firstHop - 2 : -1
    if (run && i >= 0 && i < TRACK && this.#havePrev2) {
      this.#trackRow[i] = this.#lag2Offset(run.row)
      this.#trackCol[i] = this.#lag2Offset(4 + run.col)
    }
    this.#qRe.set(this.#pRe)
    this.#qIm.set(this.#pIm)
    this.#havePrev2 = this.#havePrev
    this.#pRe.set(wRe)
    this.#pIm.set(wIm)
    this.#havePrev = true
  }

  /** Applies the per-window rules; on a hit, records it and returns true. */
  #judge(b: number, energy: number): boolean {
    const wRe = this.#wRe
    const wIm = this.#wIm
    let row = 0
    let rowP = -1
    let rowP2 = 0
    let col = 4
    let colP = -1
    let colP2 = 0
    for (let f = 0; f < 4; f++) {
      const p = wRe[f]! * wRe[f]! + wIm[f]! * wIm[f]!
      if (p > rowP) {
        rowP2 = Math.max(rowP2, rowP)
        rowP = p
        row = f
      } else if (p > rowP2) rowP2 = p
    }
    for (let f = 4; f < 8; f++) {
      const p = wRe[f]! * wRe[f]! + wIm[f]! * wIm[f]!
      if (p > colP) {
        colP2 = Math.max(colP2, colP)
        colP = p
        col = f
      } else if (p > colP2) colP2 = p
    }
    // Cheapest necessary condition first: both tones must be strong in absolute terms.
    const minP = ((MIN_AMPLITUDE * L) / 2) * ((MIN_AMPLITUDE * L) / 2) * 0.25
    if (rowP < minP || colP < minP) return false
    // Coarse relative-peak test (6 dB slack); the exact one, net of leakage, comes below.
    if (4 * rowP < PEAK_POWER_RATIO * rowP2 || 4 * colP < PEAK_POWER_RATIO * colP2) return false
    // Coarse energy-ratio test: compensation for the frequency offset can raise the tones'
    // power by at most 1 / MIN_GAIN².
    if (
      (2 * (rowP + colP)) / (L * L) <
      (MIN_WINDOW_ENERGY_RATIO * MIN_GAIN * MIN_GAIN * energy) / L
    )
      return false

    // Frequency offsets from the phase advance since the previous window.
    let zrRe = 0
    let zrIm = 0
    let zcRe = 0
    let zcIm = 0
    let dr = 0
    let dc = 0
    if (this.#havePrev) {
      const pr = this.#phaseProduct(row)
      zrRe = pr[0]
      zrIm = pr[1]
      const pc = this.#phaseProduct(col)
      zcRe = pc[0]
      zcIm = pc[1]
      dr = Math.atan2(zrIm, zrRe) * HZ_PER_RADIAN
      dc = Math.atan2(zcIm, zcRe) * HZ_PER_RADIAN
    }
    const fr = FREQS[row]!
    const fc = FREQS[col]!
    const gr = windowGain(clamp(dr, MAX_COMPENSATED * fr))
    const gc = windowGain(clamp(dc, MAX_COMPENSATED * fc))
    const ar = (2 * Math.sqrt(rowP)) / (L * gr)
    const ac = (2 * Math.sqrt(colP)) / (L * gc)
    if (ar < MIN_AMPLITUDE || ac < MIN_AMPLITUDE) return false
    if (ac > ar * MAX_NORMAL_RATIO || ar > ac * MAX_REVERSE_RATIO) return false
    // Relative peak: each tone above the others of its group, net of what the other group's
    // tone leaks into them (a strong row tone shows faintly in the column bins, and back).
    if (!this.#peaks(0, row, Math.sqrt(rowP), ac, fc + dc)) return false
    if (!this.#peaks(4, col, Math.sqrt(colP), ar, fr + dr)) return false
    if ((ar * ar + ac * ac) / 2 < (MIN_WINDOW_ENERGY_RATIO * energy) / L) return false
    // Spectral purity (the costliest tests) on every window of a press's first
    // PURITY_EVERY_HITS hits, then on every fourth window (the windows no longer overlap).
    const run = this.#run
    const key = Dtmf.keyAt(row, col - 4)
    if (
      run !== undefined &&
      run.key === key &&
      run.hits >= PURITY_EVERY_HITS &&
      (b - run.firstHop) % WINDOW_BLOCKS !== 0
    ) {
      this.#hit(b, row, col - 4, ar, ac, energy / L, zrRe, zrIm, zcRe, zcIm)
      return true
    }
    // Second harmonics, net of what the two tones themselves leak into those bins.
    if (!this.#quiet(b, row, ar, fr + dr, ac, fc + dc, HARMONIC_RATIO * ar)) return false
    if (!this.#quiet(b, col, ar, fr + dr, ac, fc + dc, HARMONIC_RATIO * ac)) return false
    // Guard frequencies, net of the two tones' leakage.
    const weaker = GUARD_RATIO * Math.min(ar, ac)
    for (let g = 0; g < GUARD_HZ.length; g++)
      if (!this.#quiet(b, NF + g, ar, fr + dr, ac, fc + dc, weaker)) return false
    this.#hit(b, row, col - 4, ar, ac, energy / L, zrRe, zrIm, zcRe, zcIm)
    return true
  }

  /**
   * Whether bin `best` (magnitude `mag`) of the group starting at `base` stands
   * `MIN_RELATIVE_PEAK_DB` above the group's other bins once the leakage of the other
   * group's tone (amplitude `a` at `hz`) is taken out of them.
   */
  #peaks(base: number, best: number, mag: number, a: number, hz: number): boolean {
    const limit = mag / Math.sqrt(PEAK_POWER_RATIO)
    for (let f = base; f < base + 4; f++) {
      if (f === best) continue
      const m = Math.sqrt(this.#wRe[f]! * this.#wRe[f]! + this.#wIm[f]! * this.#wIm[f]!)
      if (m <= limit) continue
      const leak = ((a * L) / 2) * Goertzel.rectangularGain(FREQS[f]! - hz, L, SAMPLE_RATE)
      if (m - leak > limit) return false
    }
    return true
  }

  /** Frequency offset (Hz) of bin f from the phase advance over the last two hops. */
  #lag2Offset(f: number): number {
    const a = this.#wRe[f]!
    const b = this.#wIm[f]!
    const c = this.#qRe[f]!
    const d = -this.#qIm[f]!
    const re = a * c - b * d
    const im = a * d + b * c
    const rr = rotRe[f * WINDOW_BLOCKS + 2]!
    const ri = rotIm[f * WINDOW_BLOCKS + 2]!
    return Math.atan2(re * ri + im * rr, re * rr - im * ri) * (HZ_PER_RADIAN / 2)
  }

  readonly #z: [number, number] = [0, 0]

  /** W · conj(Wprev) · e^{-jωH} for bin f: its angle is the offset's phase advance. */
  #phaseProduct(f: number): [number, number] {
    const a = this.#wRe[f]!
    const bb = this.#wIm[f]!
    const c = this.#pRe[f]!
    const d = -this.#pIm[f]!
    const re = a * c - bb * d
    const im = a * d + bb * c
    const rr = rotRe[f * WINDOW_BLOCKS + 1]!
    const ri = rotIm[f * WINDOW_BLOCKS + 1]!
    this.#z[0] = re * rr - im * ri
    this.#z[1] = re * ri + im * rr
    return this.#z
  }

  /**
   * Whether the window's amplitude at purity frequency `q` (ending at block `b`), less what
   * the two tones (amplitudes `ar`, `ac` at `fr`, `fc` Hz) leak into that bin, is at most
   * `limit`. Each block's DFT value at `q` is computed once and reused by the next windows.
   */
  #quiet(
    b: number,
    q: number,
    ar: number,
    fr: number,
    ac: number,
    fc: number,
    limit: number,
  ): boolean {
    let re = 0
    let im = 0
    for (let i = 0; i < WINDOW_BLOCKS; i++) {
      const blk = b - WINDOW_BLOCKS + 1 + i
      const k = q * WINDOW_BLOCKS + (blk & 3)
      if (this.#pStamp[k] !== blk) this.#purityBlock(q, blk, k)
      const rr = purityRotRe[q * WINDOW_BLOCKS + i]!
      const ri = purityRotIm[q * WINDOW_BLOCKS + i]!
      re += this.#pxRe[k]! * rr - this.#pxIm[k]! * ri
      im += this.#pxRe[k]! * ri + this.#pxIm[k]! * rr
    }
    const measured = (2 * Math.sqrt(re * re + im * im)) / L
    if (measured <= limit) return true
    const hz = PURITY_HZ[q]!
    const leak =
      ar * Goertzel.rectangularGain(hz - fr, L, SAMPLE_RATE) +
      ac * Goertzel.rectangularGain(hz - fc, L, SAMPLE_RATE)
    return measured - leak <= limit
  }

  /** The DFT value of block `blk` (still in the window ring) at purity frequency `q`. */
  #purityBlock(q: number, blk: number, k: number): void {
    const win = this.#window
    const slot = (blk & 3) * H
    const c = purityCoef[q]!
    let s1 = 0
    let s2 = 0
    for (let n = slot; n < slot + H; n++) {
      const s0 = win[n]! + c * s1 - s2
      s2 = s1
      s1 = s0
    }
    const yr = s1 - purityCos[q]! * s2
    const yi = puritySin[q]! * s2
    this.#pxRe[k] = yr * purityOutRe[q]! - yi * purityOutIm[q]!
    this.#pxIm[k] = yr * purityOutIm[q]! + yi * purityOutRe[q]!
    this.#pStamp[k] = blk
  }

  #hit(
    b: number,
    row: number,
    col: number,
    ar: number,
    ac: number,
    power: number,
    zrRe: number,
    zrIm: number,
    zcRe: number,
    zcIm: number,
  ): void {
    const key = Dtmf.keyAt(row, col)
    let run = this.#run
    if (run && run.key !== key) {
      this.#close(run, b)
      run = undefined
    }
    if (!run) {
      run = {
        key,
        row,
        col,
        firstHop: b,
        lastHop: b,
        hits: 0,
        misses: 0,
        firstRow2: ar * ar,
        firstCol2: ac * ac,
        sumRow2: 0,
        sumCol2: 0,
        sumPower: 0,
        counted: 0,
        pendingRow2: 0,
        pendingCol2: 0,
        pendingPower: 0,
        zrRe: 0,
        zrIm: 0,
        zcRe: 0,
        zcIm: 0,
        start: -1,
      }
      this.#run = run
    } else {
      // The pending (previous) hit is now an inner one.
      if (run.hits >= 2) {
        run.sumRow2 += run.pendingRow2
        run.sumCol2 += run.pendingCol2
        run.sumPower += run.pendingPower
        run.counted++
      }
      run.zrRe += zrRe
      run.zrIm += zrIm
      run.zcRe += zcRe
      run.zcIm += zcIm
    }
    run.pendingRow2 = ar * ar
    run.pendingCol2 = ac * ac
    run.pendingPower = power
    run.hits++
    run.misses = 0
    run.lastHop = b
    if (run.start < 0 && b - run.firstHop >= 4) run.start = this.#placeStart(run, b)
  }

  #miss(b: number): void {
    const run = this.#run
    if (!run) return
    run.misses++
    if (run.misses >= RELEASE_HOPS) this.#close(run, b)
  }

  /** Mean amplitudes (row, column) of the run's inner hits. */
  #amplitudes(run: Run): [number, number] {
    if (run.counted > 0)
      return [Math.sqrt(run.sumRow2 / run.counted), Math.sqrt(run.sumCol2 / run.counted)]
    // One or two hits: the larger of first and last.
    return [
      Math.sqrt(Math.max(run.firstRow2, run.pendingRow2)),
      Math.sqrt(Math.max(run.firstCol2, run.pendingCol2)),
    ]
  }

  /** How much of block `blk` the run's tone fills (about 0 to 1). */
  #presence(run: Run, blk: number, refRow: number, refCol: number): number {
    const h = (blk % HISTORY) * NF
    return (this.#mag[h + run.row]! + this.#mag[h + 4 + run.col]!) / (refRow + refCol)
  }

  #refs(run: Run): [number, number] {
    const [ar, ac] = this.#amplitudes(run)
    return [(ar * H) / 2, (ac * H) / 2]
  }

  #placeStart(run: Run, now: number): number {
    const [rr, rc] = this.#refs(run)
    const from = Math.max(0, run.firstHop - WINDOW_BLOCKS + 1 - 2, now - HISTORY + 1)
    for (let blk = from; blk <= Math.min(run.firstHop, now); blk++) {
      const a = this.#presence(run, blk, rr, rc)
      if (a >= EDGE_PRESENCE) return (blk + 1 - Math.min(1, a)) * H
    }
    return (run.firstHop - WINDOW_BLOCKS + 1) * H
  }

  #placeEnd(run: Run, now: number): number {
    const [rr, rc] = this.#refs(run)
    const from = Math.min(run.lastHop + 2, now)
    const to = Math.max(run.lastHop - WINDOW_BLOCKS + 1, now - HISTORY + 1)
    for (let blk = from; blk >= to; blk--) {
      const a = this.#presence(run, blk, rr, rc)
      if (a >= EDGE_PRESENCE) return (blk + Math.min(1, a)) * H
    }
    return (run.lastHop + 1) * H
  }

  /** Ends the run at block `now` (the newest complete block) and emits it if it qualifies. */
  #close(run: Run, now: number): void {
    this.#run = undefined
    if (run.start < 0) run.start = this.#placeStart(run, now)
    const end = this.#placeEnd(run, now)
    if (run.hits < MIN_HITS) return
    if (run.hits < MIN_HIT_DENSITY * (run.lastHop - run.firstHop + 1)) return
    if (((end - run.start) * 1000) / SAMPLE_RATE < MIN_TONE_MS) return
    const fr = FREQS[run.row]!
    const fc = FREQS[4 + run.col]!
    const dr = Math.atan2(run.zrIm, run.zrRe) * HZ_PER_RADIAN
    const dc = Math.atan2(run.zcIm, run.zcRe) * HZ_PER_RADIAN
    if (Math.abs(dr) > MAX_FREQUENCY_DEVIATION * fr) return
    if (Math.abs(dc) > MAX_FREQUENCY_DEVIATION * fc) return
    const [ar, ac] = this.#amplitudes(run)
    // A voice glides all its harmonics together, so the pair's drift is the power-weighted
    // mean of the two relative drifts: the weaker, noisier tone counts less.
    const inner = Math.min(run.lastHop - run.firstHop - 1, TRACK)
    const relative =
      (ar * ar * (drift(this.#trackRow, inner) / fr) +
        ac * ac * (drift(this.#trackCol, inner) / fc)) /
      (ar * ar + ac * ac)
    if (Math.abs(relative) * 1000 > (MAX_FREQUENCY_DRIFT_HZ_PER_S * H) / SAMPLE_RATE) return
    const lr = Level.sineLevel(ar)
    const lc = Level.sineLevel(ac)
    if (lc - lr > MAX_NORMAL_TWIST_DB || lr - lc > MAX_REVERSE_TWIST_DB) return
    const power = run.counted > 0 ? run.sumPower / run.counted : run.pendingPower
    if ((ar * ar + ac * ac) / 2 < MIN_ENERGY_RATIO * power) return
    this.#out.push({
      key: run.key,
      startMs: (run.start * 1000) / SAMPLE_RATE,
      endMs: (end * 1000) / SAMPLE_RATE,
      levelDbfs: (lr + lc) / 2,
      twistDb: lc - lr,
    })
  }
}

/**
 * Drift of per-hop frequency offsets `track[0..n)`: mean of the second half minus mean of
 * the first half, per hop between them. Consecutive estimates share most of their samples,
 * so their errors largely cancel in these means.
 */
const drift = (track: Float64Array, n: number): number => {
  if (n < 2) return 0
  const h = n >> 1
  let a = 0
  let z = 0
  for (let i = 0; i < h; i++) a += track[i]!
  for (let i = n - h; i < n; i++) z += track[i]!
  return (z - a) / h / (n - h)
}

/** The 16 ms window's gain at an offset (Hz), tabulated every 0.05 Hz up to the limit. */
const GAIN_STEP = 0.05
const GAIN_TABLE = Float64Array.from(
  { length: Math.ceil((MAX_COMPENSATED * 1633) / GAIN_STEP) + 2 },
  (_, i) => Goertzel.rectangularGain(i * GAIN_STEP, WINDOW_SAMPLES, SAMPLE_RATE),
)
const windowGain = (offsetHz: number): number => {
  const x = Math.abs(offsetHz) / GAIN_STEP
  const i = Math.floor(x)
  const g0 = GAIN_TABLE[i]!
  return g0 + (x - i) * (GAIN_TABLE[i + 1]! - g0)
}

const clamp = (x: number, limit: number): number => (x > limit ? limit : x < -limit ? -limit : x)

/** A detector for a stream at `sampleRate` (8000–48000 Hz). */
export const create = (sampleRate: number): Detector => new Engine(sampleRate)

/** Detects every press in a whole signal. */
export const detectAll = (samples: Float32Array, sampleRate: number): ReadonlyArray<Detection> => {
  const d = create(sampleRate)
  return [...d.push(samples), ...d.flush()]
}

/** The keys of `detectAll`, as a string. */
export const decode = (samples: Float32Array, sampleRate: number): string =>
  detectAll(samples, sampleRate)
    .map((d) => d.key)
    .join('')
