/** Deterministic test signals: seeded noise, mixing at an SNR, synthetic music. */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** White Gaussian noise of unit variance. */
export const gaussian = (length: number, seed: number): Float32Array => {
  const rnd = prng(seed)
  const out = new Float32Array(length)
  for (let i = 0; i < length; i += 2) {
    const u = Math.max(rnd(), 1e-12)
    const v = rnd()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = r * Math.cos(2 * Math.PI * v)
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v)
  }
  return out
}

const meanPower = (x: Float32Array): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!
  return s / x.length
}

/**
 * Adds white noise so that the signal-to-noise ratio is `snrDb`, where the signal power is
 * the mean power of the tones while they sound (`tonePower`) and the noise is full band.
 */
export const addNoise = (
  signal: Float32Array,
  tonePower: number,
  snrDb: number,
  seed: number,
): Float32Array => {
  const noise = gaussian(signal.length, seed)
  const scale = Math.sqrt(tonePower / Math.pow(10, snrDb / 10))
  const out = new Float32Array(signal.length)
  for (let i = 0; i < signal.length; i++) out[i] = signal[i]! + scale * noise[i]!
  return out
}

/** Mean power of the non-silent samples (the tones), for `addNoise`. */
export const activePower = (signal: Float32Array): number => {
  let s = 0
  let n = 0
  for (let i = 0; i < signal.length; i++)
    if (signal[i] !== 0) {
      s += signal[i]! * signal[i]!
      n++
    }
  return n === 0 ? 0 : s / n
}

export { meanPower }

export interface Note {
  /** Fundamental in Hz. */
  readonly hz: number
  readonly startS: number
  readonly lengthS: number
}

/**
 * Renders notes of a harmonic instrument: each note has `harmonics` partials with 1/k
 * amplitudes, a short attack and an exponential decay, plus optional vibrato.
 */
export const renderNotes = (
  notes: ReadonlyArray<Note>,
  sampleRate: number,
  options: { harmonics?: number; level?: number; vibratoHz?: number; vibratoDepth?: number } = {},
): Float32Array => {
  const harmonics = options.harmonics ?? 6
  const level = options.level ?? 0.2
  const end = Math.max(...notes.map((n) => n.startS + n.lengthS))
  const out = new Float32Array(Math.ceil(end * sampleRate))
  for (const note of notes) {
    const start = Math.round(note.startS * sampleRate)
    const length = Math.round(note.lengthS * sampleRate)
    for (let k = 1; k <= harmonics; k++) {
      const hz = note.hz * k
      if (hz >= sampleRate / 2) break
      let phase = 0
      for (let n = 0; n < length; n++) {
        const t = n / sampleRate
        const env = Math.min(1, t / 0.01) * Math.exp(-2 * t)
        const vib =
          1 + (options.vibratoDepth ?? 0) * Math.sin(2 * Math.PI * (options.vibratoHz ?? 5) * t)
        phase += (2 * Math.PI * hz * vib) / sampleRate
        out[start + n] = out[start + n]! + (level / k) * env * Math.sin(phase)
      }
    }
  }
  return out
}

/** A linear sweep of `harmonics` partials from `fromHz` to `toHz`. */
export const sweep = (
  fromHz: number,
  toHz: number,
  seconds: number,
  sampleRate: number,
  level = 0.3,
  harmonics = 1,
): Float32Array => {
  const length = Math.round(seconds * sampleRate)
  const out = new Float32Array(length)
  let phase = 0
  for (let n = 0; n < length; n++) {
    const hz = fromHz + ((toHz - fromHz) * n) / length
    phase += (2 * Math.PI * hz) / sampleRate
    let v = 0
    for (let k = 1; k <= harmonics; k++) v += Math.sin(k * phase) / k
    out[n] = level * v
  }
  return out
}

/** Equal-tempered frequency of MIDI note `m`. */
export const midiHz = (m: number): number => 440 * Math.pow(2, (m - 69) / 12)
