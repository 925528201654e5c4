/**
 * Sample-rate conversion between any two integer rates (8000–48000 Hz in this project),
 * streaming, with a Kaiser-windowed sinc low-pass (polyphase for rational ratios).
 *
 * The low-pass cuts at 90% of the lower rate's Nyquist frequency (3.6 kHz when either side is
 * 8 kHz) with about 70 dB of stop-band rejection, which is ample for telephony audio and
 * keeps DTMF (≤ 1633 Hz) and its second harmonics (≤ 3266 Hz) in the pass band.
 * The filter is linear-phase and centred: output sample `n` is the signal at time `n / to`,
 * so conversions add no delay.
 */

export const MIN_RATE = 4000
export const MAX_RATE = 192000

/** Cut-off as a fraction of the lower rate's Nyquist frequency. */
export const CUTOFF = 0.9
/** Zero crossings of the sinc on each side of the centre. */
export const ZERO_CROSSINGS = 16
/** Kaiser window β (about 70 dB stop band). */
export const KAISER_BETA = 7

/** Largest polyphase table kept exact; above this, phases are interpolated. */
const MAX_PHASES = 512

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/** Modified Bessel function of the first kind, order 0 (series). */
const besselI0 = (x: number): number => {
  let sum = 1
  let term = 1
  const q = (x * x) / 4
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k)
    sum += term
    if (term < sum * 1e-17) break
  }
  return sum
}

const checkRate = (rate: number): void => {
  if (!Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE)
    throw new RangeError(`sample rate must be an integer in ${MIN_RATE}..${MAX_RATE}, got ${rate}`)
}

export interface Resampler {
  readonly from: number
  readonly to: number
  /** Converts the next block; returns the output samples it completes (possibly none). */
  process(input: Float32Array): Float32Array
  /** Ends the stream: returns the remaining output samples. */
  flush(): Float32Array
}

interface Kernel {
  /** Taps on each side of the centre (the filter spans `2·half` input samples). */
  readonly half: number
  /** Number of phases in the table. */
  readonly phases: number
  /** `(phases + 1)` rows of `2·half` taps; row p is for fractional position p/phases. */
  readonly table: Float64Array
}

const designKernel = (from: number, to: number, phases: number): Kernel => {
  // Cut-off in cycles per input sample.
  const fc = (CUTOFF * Math.min(from, to)) / 2 / from
  const reach = ZERO_CROSSINGS / (2 * fc) // half-length in input samples
  const half = Math.ceil(reach)
  const width = 2 * half
  const table = new Float64Array((phases + 1) * width)
  const norm = besselI0(KAISER_BETA)
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases
    let sum = 0
    for (let i = 0; i < width; i++) {
      // tap i multiplies input k - half + 1 + i; distance from output time k + frac:
      const t = frac - (i - half + 1)
      let h = 0
      if (Math.abs(t) < reach) {
        const x = 2 * fc * t
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)
        const r = t / reach
        h = (2 * fc * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - r * r))) / norm
      }
      table[p * width + i] = h
      sum += h
    }
    for (let i = 0; i < width; i++) table[p * width + i]! /= sum
  }
  return { half, phases, table }
}

class Polyphase implements Resampler {
  readonly #up: number
  readonly #down: number
  readonly #kernel: Kernel
  readonly #exact: boolean
  /** Input history; buf[0] is absolute input index `#base`. */
  #buf: Float32Array
  #len: number
  #base: number
  /** Next output time = #k + #p / #up (in input samples). */
  #k = 0
  #p = 0
  #inputs = 0
  #outputs = 0
  #done = false

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    const g = gcd(from, to)
    this.#up = to / g
    this.#down = from / g
    this.#exact = this.#up <= MAX_PHASES
    this.#kernel = designKernel(from, to, this.#exact ? this.#up : MAX_PHASES)
    const half = this.#kernel.half
    this.#buf = new Float32Array(4 * half + 4096)
    this.#len = half // leading zeros for inputs before the stream
    this.#base = -half
  }

  #append(input: Float32Array): void {
    const need = this.#len + input.length
    if (need > this.#buf.length) {
      const grown = new Float32Array(Math.max(need, this.#buf.length * 2))
      grown.set(this.#buf.subarray(0, this.#len))
      this.#buf = grown
    }
    this.#buf.set(input, this.#len)
    this.#len = need
  }

  #run(limit: number): Float32Array {
    const { half, phases, table } = this.#kernel
    const width = 2 * half
    const up = this.#up
    const down = this.#down
    const kmax = this.#base + this.#len - 1 - half
    let count = kmax >= this.#k ? Math.ceil(((kmax - this.#k + 1) * up - this.#p) / down) : 0
    count = Math.max(0, Math.min(count, limit))
    const out = new Float32Array(count)
    const buf = this.#buf
    let k = this.#k
    let p = this.#p
    for (let n = 0; n < count; n++) {
      const start = k - half + 1 - this.#base
      let acc = 0
      if (this.#exact) {
        const row = p * width
        for (let i = 0; i < width; i++) acc += table[row + i]! * buf[start + i]!
      } else {
        const pos = (p * phases) / up
        const p0 = Math.floor(pos)
        const f = pos - p0
        const r0 = p0 * width
        const r1 = r0 + width
        for (let i = 0; i < width; i++) {
          const h = table[r0 + i]! + f * (table[r1 + i]! - table[r0 + i]!)
          acc += h * buf[start + i]!
        }
      }
      out[n] = acc
      p += down
      if (p >= up) {
        k += Math.floor(p / up)
        p %= up
      }
    }
    this.#k = k
    this.#p = p
    this.#outputs += count
    // Drop history no longer needed.
    const keepFrom = k - half + 1 - this.#base
    if (keepFrom > 0) {
      this.#buf.copyWithin(0, keepFrom, this.#len)
      this.#len -= keepFrom
      this.#base += keepFrom
    }
    return out
  }

  process(input: Float32Array): Float32Array {
    if (this.#done) throw new Error('resampler already flushed')
    this.#inputs += input.length
    this.#append(input)
    return this.#run(Number.MAX_SAFE_INTEGER)
  }

  flush(): Float32Array {
    if (this.#done) return new Float32Array(0)
    this.#done = true
    this.#append(new Float32Array(2 * this.#kernel.half + 1))
    const total = Math.ceil((this.#inputs * this.#up) / this.#down)
    return this.#run(total - this.#outputs)
  }
}

class Identity implements Resampler {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  process(input: Float32Array): Float32Array {
    return input.slice()
  }
  flush(): Float32Array {
    return new Float32Array(0)
  }
}

/** A streaming converter from `from` Hz to `to` Hz. */
export const create = (from: number, to: number): Resampler => {
  checkRate(from)
  checkRate(to)
  return from === to ? new Identity(from, to) : new Polyphase(from, to)
}

/** Converts a whole signal; the result has `ceil(length · to / from)` samples. */
export const resample = (samples: Float32Array, from: number, to: number): Float32Array => {
  const r = create(from, to)
  const a = r.process(samples)
  const b = r.flush()
  const out = new Float32Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
