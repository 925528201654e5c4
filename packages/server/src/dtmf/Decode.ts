/**
 * Decoding DTMF from an audio input read in blocks: a WAV file, raw signed 16-bit little-endian
 * PCM, or the JSON lines of an ACS media-streaming session. Every input goes through
 * `@switchboard/dsp`'s `DtmfDetector` — the detector and thresholds of the service's continuous
 * DTMF recognition — with nothing to tune. Memory stays bounded whatever the input's length:
 * the WAV reader keeps at most one partial sample frame, the detector a few windows.
 */
import { DtmfDetector, WavFormat, WavReader } from '@switchboard/dsp'
import { DecodeError, type Reason } from './DecodeError.js'
import * as Report from './Report.js'
import * as StreamingJsonl from './StreamingJsonl.js'

/** What the input holds. */
export type Input =
  /** RIFF/WAVE; `channel` (1 = first) picks one channel, otherwise all are mixed down. */
  | { readonly _tag: 'Wav'; readonly channel?: number }
  /** Headerless signed 16-bit little-endian mono PCM at `sampleRate`. */
  | { readonly _tag: 'Raw'; readonly sampleRate: number }
  /** One ACS media-streaming message per line (AudioMetadata, then AudioData). */
  | { readonly _tag: 'StreamingJsonl' }

/** What was found in one input (the report without the file name). */
export interface Decoded {
  readonly sampleRate: number
  readonly durationMs: number
  readonly tones: ReadonlyArray<Report.Tone>
  readonly participants?: ReadonlyArray<Report.Participant>
}

/** A decoder fed block by block. Both methods throw `DecodeError`. */
export interface Decoder {
  push(chunk: Uint8Array): void
  end(): Decoded
}

/** Lowest and highest sample rates accepted (those of the detector). */
export const MIN_RATE = DtmfDetector.MIN_SAMPLE_RATE
export const MAX_RATE = DtmfDetector.MAX_SAMPLE_RATE

const fromWavError = (e: WavFormat.WavError, channel: number | undefined): DecodeError => {
  if (e instanceof WavFormat.WavUnsupportedEncodingError)
    return new DecodeError(
      'unsupported encoding',
      `format tag ${e.formatTag}, ${e.bitsPerSample} bits (read: PCM 8, 16, 24 or 32-bit, float 32-bit)`,
    )
  if (e instanceof WavFormat.WavUnsupportedRateError)
    return new DecodeError(
      'unsupported sample rate',
      `${e.sampleRate} Hz (read: ${MIN_RATE}–${MAX_RATE} Hz)`,
    )
  if (e instanceof WavFormat.WavChannelError)
    return new DecodeError(
      'no such channel',
      `channel ${channel ?? '?'} asked for, ${e.message.replace(/^.*, /, '')}`,
    )
  const reason: Reason =
    e._tag === 'WavTruncatedError'
      ? 'truncated'
      : e._tag === 'WavEmptyError'
        ? 'empty'
        : 'not audio'
  return new DecodeError(reason, e.message)
}

/** Runs `f`, turning the dsp's WAV errors into `DecodeError`s. */
const guard = <A>(f: () => A, channel?: number): A => {
  try {
    return f()
  } catch (e) {
    if (e instanceof WavFormat.WavError) throw fromWavError(e, channel)
    throw e
  }
}

class WavDecoder implements Decoder {
  readonly #reader: WavReader.Reader
  readonly #channel: number | undefined
  #detector: DtmfDetector.Detector | undefined
  #bytes = 0
  readonly #tones: Report.Tone[] = []

  constructor(channel: number | undefined) {
    if (channel !== undefined && !(Number.isInteger(channel) && channel >= 1))
      throw new DecodeError('no such channel', `channel ${channel} asked for (1 is the first)`)
    this.#channel = channel
    this.#reader = WavReader.create({ channel: channel === undefined ? 'mix' : channel - 1 })
  }

  push(chunk: Uint8Array): void {
    this.#bytes += chunk.length
    const samples = guard(() => this.#reader.push(chunk), this.#channel)
    if (samples.length === 0) return
    this.#detector ??= DtmfDetector.create(this.#reader.format!.sampleRate)
    for (const d of this.#detector.push(samples)) this.#tones.push(Report.tone(d))
  }

  end(): Decoded {
    if (this.#bytes === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)')
    guard(() => this.#reader.end(), this.#channel)
    const format = this.#reader.format!
    this.#detector ??= DtmfDetector.create(format.sampleRate)
    for (const d of this.#detector.flush()) this.#tones.push(Report.tone(d))
    return {
      sampleRate: format.sampleRate,
      durationMs: Report.tenth((this.#reader.frames * 1000) / format.sampleRate),
      tones: this.#tones,
    }
  }
}

/** Signed 16-bit little-endian bytes to samples (full scale ±1.0). */
const s16le = (bytes: Uint8Array, from: number, count: number, out: Float32Array, at = 0): void => {
  for (let i = 0, j = from; i < count; i++, j += 2)
    out[at + i] = (((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >> 16) / 32768
}

class RawDecoder implements Decoder {
  readonly #detector: DtmfDetector.Detector
  readonly #rate: number
  #samples = 0
  /** The first byte of a sample split between two chunks. */
  #odd: number | undefined
  readonly #tones: Report.Tone[] = []

  constructor(sampleRate: number) {
    if (!(Number.isInteger(sampleRate) && sampleRate >= MIN_RATE && sampleRate <= MAX_RATE))
      throw new DecodeError(
        'unsupported sample rate',
        `${sampleRate} Hz (${MIN_RATE}–${MAX_RATE} Hz)`,
      )
    this.#rate = sampleRate
    this.#detector = DtmfDetector.create(sampleRate)
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    let from = 0
    let lead = 0
    if (this.#odd !== undefined) lead = 1
    const count = lead + Math.floor((chunk.length - lead) / 2)
    const samples = new Float32Array(count)
    if (this.#odd !== undefined) {
      samples[0] = (((this.#odd | (chunk[0]! << 8)) << 16) >> 16) / 32768
      from = 1
      this.#odd = undefined
    }
    s16le(chunk, from, count - lead, samples, lead)
    const used = from + 2 * (count - lead)
    if (used < chunk.length) this.#odd = chunk[used]!
    this.#samples += count
    for (const d of this.#detector.push(samples)) this.#tones.push(Report.tone(d))
  }

  end(): Decoded {
    if (this.#odd !== undefined)
      throw new DecodeError('truncated', 'input ended inside a sample (an odd number of bytes)')
    if (this.#samples === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)')
    for (const d of this.#detector.flush()) this.#tones.push(Report.tone(d))
    return {
      sampleRate: this.#rate,
      durationMs: Report.tenth((this.#samples * 1000) / this.#rate),
      tones: this.#tones,
    }
  }
}

/** A decoder for `input`, to feed block by block. */
export const decoder = (input: Input): Decoder => {
  switch (input._tag) {
    case 'Wav':
      return new WavDecoder(input.channel)
    case 'Raw':
      return new RawDecoder(input.sampleRate)
    case 'StreamingJsonl':
      return StreamingJsonl.decoder()
  }
}

/** Decodes a whole input held in memory. Throws `DecodeError`. */
export const bytes = (data: Uint8Array, input: Input): Decoded => {
  const d = decoder(input)
  d.push(data)
  return d.end()
}

/** Decodes a stream of blocks (e.g. a file read 64 KiB at a time). Rejects with `DecodeError`. */
export const stream = async (blocks: AsyncIterable<Uint8Array>, input: Input): Promise<Decoded> => {
  const d = decoder(input)
  for await (const block of blocks) d.push(block)
  return d.end()
}

/** The report of a decoded input named `file`. */
export const report = (file: string, decoded: Decoded): Report.Report => ({
  file,
  sampleRate: decoded.sampleRate,
  durationMs: decoded.durationMs,
  digits: decoded.tones.map((t) => t.key).join(''),
  tones: [...decoded.tones],
  ...(decoded.participants === undefined ? {} : { participants: [...decoded.participants] }),
})
