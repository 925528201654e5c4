/**
 * The Goertzel algorithm: one DFT bin at an arbitrary (not necessarily integer-bin)
 * frequency, evaluated with one multiply and two adds per sample.
 */

export interface Bin {
  readonly re: number
  readonly im: number
}

/** `2·cos(ω)` for frequency `hz` at `sampleRate`. */
export const coefficient = (hz: number, sampleRate: number): number =>
  2 * Math.cos((2 * Math.PI * hz) / sampleRate)

/**
 * The DFT value `Σ x[n]·e^{-jωn}` over `samples[start, start+length)` at `hz`,
 * with the phase referenced to `start`.
 */
export const dft = (
  samples: ArrayLike<number>,
  hz: number,
  sampleRate: number,
  start = 0,
  length = samples.length - start,
): Bin => {
  const w = (2 * Math.PI * hz) / sampleRate
  const c = 2 * Math.cos(w)
  let s1 = 0
  let s2 = 0
  for (let n = 0; n < length; n++) {
    const s0 = samples[start + n]! + c * s1 - s2
    s2 = s1
    s1 = s0
  }
  // y = s1 - e^{-jω}·s2 equals e^{jω(N-1)}·X; rotate back.
  const yr = s1 - Math.cos(w) * s2
  const yi = Math.sin(w) * s2
  const a = -w * (length - 1)
  const cr = Math.cos(a)
  const ci = Math.sin(a)
  return { re: yr * cr - yi * ci, im: yr * ci + yi * cr }
}

/** `|X|²` over the block, cheaper than `dft` (no phase). */
export const power = (
  samples: ArrayLike<number>,
  hz: number,
  sampleRate: number,
  start = 0,
  length = samples.length - start,
): number => {
  const c = coefficient(hz, sampleRate)
  let s1 = 0
  let s2 = 0
  for (let n = 0; n < length; n++) {
    const s0 = samples[start + n]! + c * s1 - s2
    s2 = s1
    s1 = s0
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2
}

/** Peak amplitude of a sine at `hz` in the block, from `|X|` (exact for an on-bin sine). */
export const amplitude = (
  samples: ArrayLike<number>,
  hz: number,
  sampleRate: number,
  start = 0,
  length = samples.length - start,
): number =>
  length > 0
    ? (2 * Math.sqrt(Math.max(0, power(samples, hz, sampleRate, start, length)))) / length
    : 0

/**
 * Gain of an N-sample rectangular DFT bin for a sine `offsetHz` away from the bin
 * frequency: `|sin(Nδ/2) / (N·sin(δ/2))|` with `δ = 2π·offset/rate`.
 */
export const rectangularGain = (offsetHz: number, length: number, sampleRate: number): number => {
  const d = (2 * Math.PI * offsetHz) / sampleRate
  const s = Math.sin(d / 2)
  if (Math.abs(s) < 1e-12) return 1
  return Math.abs(Math.sin((length * d) / 2) / (length * s))
}
