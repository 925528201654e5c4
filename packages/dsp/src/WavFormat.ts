/** What a WAV file holds, and the typed errors of reading one. */

/** Sample encodings: unsigned 8-bit, signed 16/24/32-bit integer, 32-bit IEEE float. */
export type Encoding = 'u8' | 's16' | 's24' | 's32' | 'f32'

export const ENCODINGS: ReadonlyArray<Encoding> = ['u8', 's16', 's24', 's32', 'f32']

export const FORMAT_PCM = 1
export const FORMAT_IEEE_FLOAT = 3
export const FORMAT_EXTENSIBLE = 0xfffe

/** Lowest and highest sample rates the reader accepts. */
export const MIN_RATE = 8000
export const MAX_RATE = 48000

export interface Format {
  readonly sampleRate: number
  readonly channels: number
  readonly encoding: Encoding
}

export const bytesPerSample = (encoding: Encoding): number =>
  encoding === 'u8' ? 1 : encoding === 's16' ? 2 : encoding === 's24' ? 3 : 4

export const bitsPerSample = (encoding: Encoding): number => 8 * bytesPerSample(encoding)

/** Base of every WAV reading error; `_tag` tells which. */
export abstract class WavError extends Error {
  abstract readonly _tag:
    | 'WavNotAudioError'
    | 'WavTruncatedError'
    | 'WavUnsupportedEncodingError'
    | 'WavUnsupportedRateError'
    | 'WavEmptyError'
    | 'WavChannelError'
}

/** Not a RIFF/WAVE file, or its `fmt ` chunk is malformed. */
export class WavNotAudioError extends WavError {
  readonly _tag = 'WavNotAudioError'
  override readonly name = 'WavNotAudioError'
}

/** The input ended inside the header or before the declared end of the audio. */
export class WavTruncatedError extends WavError {
  readonly _tag = 'WavTruncatedError'
  override readonly name = 'WavTruncatedError'
}

/** An encoding other than PCM u8/s16/s24/s32 or float32 (e.g. A-law, ADPCM, float64). */
export class WavUnsupportedEncodingError extends WavError {
  readonly _tag = 'WavUnsupportedEncodingError'
  override readonly name = 'WavUnsupportedEncodingError'
  constructor(
    message: string,
    readonly formatTag: number,
    readonly bitsPerSample: number,
  ) {
    super(message)
  }
}

/** A sample rate outside 8000–48000 Hz. */
export class WavUnsupportedRateError extends WavError {
  readonly _tag = 'WavUnsupportedRateError'
  override readonly name = 'WavUnsupportedRateError'
  constructor(
    message: string,
    readonly sampleRate: number,
  ) {
    super(message)
  }
}

/** A well-formed file with no samples. */
export class WavEmptyError extends WavError {
  readonly _tag = 'WavEmptyError'
  override readonly name = 'WavEmptyError'
}

/** The channel asked for does not exist in the file. */
export class WavChannelError extends WavError {
  readonly _tag = 'WavChannelError'
  override readonly name = 'WavChannelError'
}
