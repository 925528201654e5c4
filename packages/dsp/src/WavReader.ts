/**
 * An incremental WAV reader: feed `Uint8Array` chunks of any size, get `Float32Array`
 * samples (full scale ±1.0) back as soon as they are complete. Memory is bounded: unknown
 * chunks are skipped without being kept, and at most one partial sample frame is held.
 *
 * Reads RIFF/WAVE with a `fmt ` chunk of format 1 (PCM: unsigned 8-bit, signed 16/24/32-bit),
 * 3 (IEEE float 32-bit) or WAVE_FORMAT_EXTENSIBLE with either subformat; any number of
 * channels, mixed down (average) or one picked. A data size of 0 or 0xFFFFFFFF (as written
 * by streaming tools) means "until the end of the input".
 */
import * as WavFormat from './WavFormat.js'

export interface Options {
  /** `'mix'` (default) averages all channels; a number picks that channel (0-based). */
  readonly channel?: 'mix' | number
}

export interface Reader {
  /** The format, once the header has been read. */
  readonly format: WavFormat.Format | undefined
  /** Sample frames decoded so far. */
  readonly frames: number
  /** Feeds the next chunk; returns the samples it completed (possibly none). */
  push(chunk: Uint8Array): Float32Array
  /** Ends the input; throws a `WavError` if the file was incomplete or held no samples. */
  end(): void
}

const EMPTY = new Float32Array(0)
const MAX_FMT_BYTES = 4096
const UNTIL_END = -1

// GUID tail shared by the KSDATAFORMAT_SUBTYPE_* values: xxxx0000-0000-0010-8000-00aa00389b71
const GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
]

type Phase = 'riff' | 'chunk' | 'fmt' | 'skip' | 'data' | 'done'

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8)
const u32 = (b: Uint8Array, o: number): number =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
const tag = (b: Uint8Array, o: number): string =>
  String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!)

const parseFmt = (b: Uint8Array): WavFormat.Format => {
  if (b.length < 16) throw new WavFormat.WavNotAudioError('fmt chunk shorter than 16 bytes')
  let formatTag = u16(b, 0)
  const channels = u16(b, 2)
  const sampleRate = u32(b, 4)
  const blockAlign = u16(b, 12)
  const bits = u16(b, 14)
  if (formatTag === WavFormat.FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw new WavFormat.WavNotAudioError('extensible fmt chunk too short')
    for (let i = 0; i < GUID_TAIL.length; i++)
      if (b[26 + i] !== GUID_TAIL[i])
        throw new WavFormat.WavUnsupportedEncodingError(
          'unknown extensible subformat',
          formatTag,
          bits,
        )
    formatTag = u16(b, 24)
  }
  if (channels === 0) throw new WavFormat.WavNotAudioError('fmt chunk declares no channels')
  let encoding: WavFormat.Encoding | undefined
  if (formatTag === WavFormat.FORMAT_PCM)
    encoding =
      bits === 8
        ? 'u8'
        : bits === 16
          ? 's16'
          : bits === 24
            ? 's24'
            : bits === 32
              ? 's32'
              : undefined
  else if (formatTag === WavFormat.FORMAT_IEEE_FLOAT) encoding = bits === 32 ? 'f32' : undefined
  if (encoding === undefined)
    throw new WavFormat.WavUnsupportedEncodingError(
      `unsupported encoding: format ${formatTag}, ${bits} bits`,
      formatTag,
      bits,
    )
  if (blockAlign !== channels * WavFormat.bytesPerSample(encoding))
    throw new WavFormat.WavNotAudioError(`block align ${blockAlign} does not match the format`)
  if (sampleRate < WavFormat.MIN_RATE || sampleRate > WavFormat.MAX_RATE)
    throw new WavFormat.WavUnsupportedRateError(
      `unsupported sample rate ${sampleRate} Hz (${WavFormat.MIN_RATE}–${WavFormat.MAX_RATE})`,
      sampleRate,
    )
  return { sampleRate, channels, encoding }
}

const sampleAt = (
  b: Uint8Array,
  o: number,
  encoding: WavFormat.Encoding,
  view: DataView,
): number => {
  switch (encoding) {
    case 'u8':
      return (b[o]! - 128) / 128
    case 's16':
      return (((b[o]! | (b[o + 1]! << 8)) << 16) >> 16) / 32768
    case 's24':
      return (((b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) << 8) >> 8) / 8388608
    case 's32':
      return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) / 2147483648
    case 'f32':
      return view.getFloat32(o, true)
  }
}

class Incremental implements Reader {
  #phase: Phase = 'riff'
  #format: WavFormat.Format | undefined
  #frames = 0
  /** Header bytes being gathered (RIFF header, chunk header or fmt body). */
  #head = new Uint8Array(12)
  #headFill = 0
  #headNeed = 12
  /** Bytes left in the chunk being skipped or the data chunk (UNTIL_END: unknown). */
  #left = 0
  /** Padding byte after an odd-sized chunk still to skip. */
  #pad = 0
  /** Bytes left in the RIFF body (UNTIL_END: unknown). */
  #riffLeft = 0
  #seenData = false
  /** Partial sample frame carried to the next chunk. */
  #carry = new Uint8Array(0)
  #carryFill = 0
  readonly #channel: 'mix' | number

  constructor(options: Options) {
    this.#channel = options.channel ?? 'mix'
  }

  get format(): WavFormat.Format | undefined {
    return this.#format
  }

  get frames(): number {
    return this.#frames
  }

  #gather(chunk: Uint8Array, offset: number): number {
    const take = Math.min(this.#headNeed - this.#headFill, chunk.length - offset)
    this.#head.set(chunk.subarray(offset, offset + take), this.#headFill)
    this.#headFill += take
    return take
  }

  #expect(bytes: number): void {
    if (this.#head.length < bytes) this.#head = new Uint8Array(bytes)
    this.#headFill = 0
    this.#headNeed = bytes
  }

  #consumeRiff(n: number): void {
    if (this.#riffLeft !== UNTIL_END) this.#riffLeft = Math.max(0, this.#riffLeft - n)
  }

  push(chunk: Uint8Array): Float32Array {
    let out: Float32Array = EMPTY
    let offset = 0
    while (offset < chunk.length && this.#phase !== 'done') {
      if (this.#pad > 0 && this.#phase === 'chunk' && this.#headFill === 0) {
        const n = Math.min(this.#pad, chunk.length - offset)
        this.#pad -= n
        offset += n
        this.#consumeRiff(n)
        continue
      }
      switch (this.#phase) {
        case 'riff': {
          offset += this.#gather(chunk, offset)
          if (this.#headFill === 1 || this.#headFill === 2 || this.#headFill === 3) {
            if (!'RIFF'.startsWith(String.fromCharCode(...this.#head.subarray(0, this.#headFill))))
              throw new WavFormat.WavNotAudioError('not a RIFF file')
          }
          if (this.#headFill < 12) break
          if (tag(this.#head, 0) !== 'RIFF' || tag(this.#head, 8) !== 'WAVE')
            throw new WavFormat.WavNotAudioError('not a RIFF/WAVE file')
          const size = u32(this.#head, 4)
          this.#riffLeft = size === 0 || size === 0xffffffff ? UNTIL_END : Math.max(0, size - 4)
          this.#phase = 'chunk'
          this.#expect(8)
          break
        }
        case 'chunk': {
          const n = this.#gather(chunk, offset)
          offset += n
          this.#consumeRiff(n)
          if (this.#headFill < 8) break
          const id = tag(this.#head, 0)
          const size = u32(this.#head, 4)
          if (id === 'fmt ') {
            if (size > MAX_FMT_BYTES) throw new WavFormat.WavNotAudioError('fmt chunk too large')
            this.#phase = 'fmt'
            this.#pad = size & 1
            this.#expect(size)
          } else if (id === 'data' && !this.#seenData) {
            if (!this.#format) throw new WavFormat.WavNotAudioError('data chunk before fmt chunk')
            this.#seenData = true
            this.#phase = 'data'
            this.#left = size === 0 || size === 0xffffffff ? UNTIL_END : size
            this.#pad = size & 1
            this.#carry = new Uint8Array(
              this.#format.channels * WavFormat.bytesPerSample(this.#format.encoding),
            )
            this.#carryFill = 0
          } else {
            this.#phase = 'skip'
            this.#left = size
            this.#pad = size & 1
          }
          if (this.#phase !== 'data' && this.#phase !== 'fmt' && this.#left === 0) this.#nextChunk()
          if (this.#phase === 'fmt' && size === 0)
            throw new WavFormat.WavNotAudioError('empty fmt chunk')
          break
        }
        case 'fmt': {
          const n = this.#gather(chunk, offset)
          offset += n
          this.#consumeRiff(n)
          if (this.#headFill < this.#headNeed) break
          this.#format = parseFmt(this.#head.subarray(0, this.#headNeed))
          if (typeof this.#channel === 'number') {
            const c = this.#channel
            if (!Number.isInteger(c) || c < 0 || c >= this.#format.channels)
              throw new WavFormat.WavChannelError(
                `channel ${c} asked for, the file has ${this.#format.channels}`,
              )
          }
          this.#nextChunk()
          break
        }
        case 'skip': {
          const n = Math.min(this.#left, chunk.length - offset)
          this.#left -= n
          offset += n
          this.#consumeRiff(n)
          if (this.#left === 0) this.#nextChunk()
          break
        }
        case 'data': {
          const avail = chunk.length - offset
          const n = this.#left === UNTIL_END ? avail : Math.min(this.#left, avail)
          const decoded = this.#decode(chunk.subarray(offset, offset + n))
          out = out.length === 0 ? decoded : concat(out, decoded)
          offset += n
          this.#consumeRiff(n)
          if (this.#left !== UNTIL_END) {
            this.#left -= n
            if (this.#left === 0) this.#nextChunk()
          }
          break
        }
      }
    }
    return out
  }

  #nextChunk(): void {
    if (this.#riffLeft === 0 && this.#pad === 0) {
      this.#phase = 'done'
      return
    }
    this.#phase = 'chunk'
    this.#expect(8)
  }

  #decode(bytes: Uint8Array): Float32Array {
    const format = this.#format!
    const width = WavFormat.bytesPerSample(format.encoding)
    const frameBytes = width * format.channels
    let offset = 0
    const pieces: Float32Array[] = []
    if (this.#carryFill > 0) {
      const take = Math.min(frameBytes - this.#carryFill, bytes.length)
      this.#carry.set(bytes.subarray(0, take), this.#carryFill)
      this.#carryFill += take
      offset = take
      if (this.#carryFill < frameBytes) return EMPTY
      pieces.push(this.#frames_(this.#carry, 0, 1))
      this.#carryFill = 0
    }
    const whole = Math.floor((bytes.length - offset) / frameBytes)
    if (whole > 0) pieces.push(this.#frames_(bytes, offset, whole))
    offset += whole * frameBytes
    if (offset < bytes.length) {
      this.#carry.set(bytes.subarray(offset), 0)
      this.#carryFill = bytes.length - offset
    }
    return pieces.length === 1 ? pieces[0]! : pieces.reduce(concat, EMPTY)
  }

  #frames_(bytes: Uint8Array, offset: number, count: number): Float32Array {
    const format = this.#format!
    const { channels, encoding } = format
    const width = WavFormat.bytesPerSample(encoding)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out = new Float32Array(count)
    const pick = this.#channel
    if (encoding === 's16' && (channels === 1 || pick !== 'mix')) {
      // The common case, without the per-sample dispatch.
      const step = 2 * channels
      for (let i = 0, o = offset + (pick === 'mix' ? 0 : 2 * pick); i < count; i++, o += step)
        out[i] = (((bytes[o]! | (bytes[o + 1]! << 8)) << 16) >> 16) / 32768
      this.#frames += count
      return out
    }
    for (let i = 0, o = offset; i < count; i++, o += width * channels) {
      if (pick === 'mix') {
        let sum = 0
        for (let c = 0; c < channels; c++) sum += sampleAt(bytes, o + c * width, encoding, view)
        out[i] = sum / channels
      } else out[i] = sampleAt(bytes, o + pick * width, encoding, view)
    }
    this.#frames += count
    return out
  }

  end(): void {
    switch (this.#phase) {
      case 'riff':
        if (this.#headFill === 0) throw new WavFormat.WavEmptyError('no input')
        throw new WavFormat.WavTruncatedError('input ended inside the RIFF header')
      case 'fmt':
        throw new WavFormat.WavTruncatedError('input ended inside the fmt chunk')
      case 'skip':
        if (this.#seenData) break
        throw new WavFormat.WavTruncatedError('input ended inside a chunk before the audio')
      case 'chunk':
        if (!this.#seenData) {
          if (this.#headFill === 0 && this.#riffLeft === 0 && this.#format)
            throw new WavFormat.WavEmptyError('no data chunk')
          throw new WavFormat.WavTruncatedError('input ended before the data chunk')
        }
        break
      case 'data':
        if (this.#left !== UNTIL_END && this.#left > 0)
          throw new WavFormat.WavTruncatedError(
            `input ended ${this.#left} bytes before the end of the audio`,
          )
        break
      case 'done':
        break
    }
    if (this.#carryFill > 0) throw new WavFormat.WavTruncatedError('input ended inside a sample')
    if (this.#frames === 0) throw new WavFormat.WavEmptyError('the file holds no samples')
  }
}

const concat = (a: Float32Array, b: Float32Array): Float32Array => {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out = new Float32Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** A reader to feed chunk by chunk. */
export const create = (options: Options = {}): Reader => new Incremental(options)

export interface Wav {
  readonly format: WavFormat.Format
  readonly samples: Float32Array
}

/** Reads a whole file held in memory. */
export const read = (bytes: Uint8Array, options: Options = {}): Wav => {
  const reader = create(options)
  const samples = reader.push(bytes)
  reader.end()
  return { format: reader.format!, samples }
}
