/**
 * `switchboard dtmf synth`: a key string as a WAV file, made by `@switchboard/dsp`'s
 * `DtmfSynth` (the synthesizer the simulated phones use) and `WavWriter`.
 */
import { Dtmf, DtmfSynth, WavFormat, WavWriter } from '@switchboard/dsp'

export interface Options {
  /** Sample rate in Hz, 8000–48000 (default 8000). */
  readonly sampleRate: number
  /** Length of each tone in ms (default 100). */
  readonly toneMs: number
  /** Silence between tones in ms (default 100). */
  readonly gapMs: number
  /** Mean level of the two tones in dBFS (default -10). */
  readonly levelDbfs: number
  /** Column level minus row level in dB (default 0). */
  readonly twistDb: number
  /** WAV sample encoding (default s16). */
  readonly encoding: WavFormat.Encoding
}

export const defaults: Options = {
  sampleRate: 8000,
  toneMs: 100,
  gapMs: 100,
  levelDbfs: -10,
  twistDb: 0,
  encoding: 's16',
}

/** Lowest and highest rates written (those `switchboard dtmf decode` reads). */
export const MIN_RATE = WavFormat.MIN_RATE
export const MAX_RATE = WavFormat.MAX_RATE
/** Longest tone or gap, in ms. */
export const MAX_MS = 60_000

/** Options that cannot make a file. */
export class SynthOptionError extends Error {
  readonly _tag = 'SynthOptionError'
  override readonly name = 'SynthOptionError'
}

/** Checks the keys and options; returns the keys, or throws `SynthOptionError`. */
export const check = (digits: string, options: Options): ReadonlyArray<Dtmf.Key> => {
  let keys: ReadonlyArray<Dtmf.Key>
  try {
    keys = Dtmf.parseKeys(digits)
  } catch (e) {
    throw new SynthOptionError(`${(e as Error).message} (keys are 0-9 * # A-D)`)
  }
  if (keys.length === 0) throw new SynthOptionError('no keys given')
  const { sampleRate, toneMs, gapMs, levelDbfs, twistDb } = options
  if (!(Number.isInteger(sampleRate) && sampleRate >= MIN_RATE && sampleRate <= MAX_RATE))
    throw new SynthOptionError(`--rate must be a whole number of Hz within ${MIN_RATE}–${MAX_RATE}`)
  if (!(toneMs > 0 && toneMs <= MAX_MS))
    throw new SynthOptionError(`--tone-ms must be above 0 and at most ${MAX_MS}`)
  if (!(gapMs >= 0 && gapMs <= MAX_MS))
    throw new SynthOptionError(`--gap-ms must be within 0–${MAX_MS}`)
  if (!Number.isFinite(levelDbfs) || !Number.isFinite(twistDb))
    throw new SynthOptionError('--level-dbfs and --twist-db must be numbers')
  try {
    DtmfSynth.toneSpec('1', { sampleRate, levelDbfs, twistDb })
  } catch (e) {
    throw new SynthOptionError((e as Error).message)
  }
  if (!WavFormat.ENCODINGS.includes(options.encoding))
    throw new SynthOptionError(`--encoding must be one of ${WavFormat.ENCODINGS.join(', ')}`)
  return keys
}

/** The WAV file of `digits`. Throws `SynthOptionError`. */
export const wav = (digits: string, options: Options = defaults): Uint8Array => {
  const keys = check(digits, options)
  const samples = DtmfSynth.synthesize(keys, {
    sampleRate: options.sampleRate,
    toneMs: options.toneMs,
    gapMs: options.gapMs,
    levelDbfs: options.levelDbfs,
    twistDb: options.twistDb,
  })
  return WavWriter.write(samples, { sampleRate: options.sampleRate, encoding: options.encoding })
}
