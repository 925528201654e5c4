/**
 * WAV writing: a 44-byte canonical header (or a 68-byte WAVE_FORMAT_EXTENSIBLE one) and
 * sample encoding in any of the reader's encodings. Writes whole files, or a header plus
 * blocks for streaming.
 */
import * as WavFormat from './WavFormat.js'

export interface Options {
  readonly sampleRate: number
  readonly encoding?: WavFormat.Encoding
  /** Write a WAVE_FORMAT_EXTENSIBLE `fmt ` chunk (default false). */
  readonly extensible?: boolean
}

const ascii = (b: Uint8Array, o: number, s: string): void => {
  for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i)
}

/** The header for `dataBytes` bytes of audio in `format`. */
export const header = (
  format: WavFormat.Format,
  dataBytes: number,
  extensible = false,
): Uint8Array => {
  const width = WavFormat.bytesPerSample(format.encoding)
  const fmtSize = extensible ? 40 : 16
  const size = 12 + 8 + fmtSize + 8
  const b = new Uint8Array(size)
  const v = new DataView(b.buffer)
  ascii(b, 0, 'RIFF')
  v.setUint32(4, 4 + 8 + fmtSize + 8 + dataBytes + (dataBytes & 1), true)
  ascii(b, 8, 'WAVE')
  ascii(b, 12, 'fmt ')
  v.setUint32(16, fmtSize, true)
  const tagValue = format.encoding === 'f32' ? WavFormat.FORMAT_IEEE_FLOAT : WavFormat.FORMAT_PCM
  v.setUint16(20, extensible ? WavFormat.FORMAT_EXTENSIBLE : tagValue, true)
  v.setUint16(22, format.channels, true)
  v.setUint32(24, format.sampleRate, true)
  v.setUint32(28, format.sampleRate * format.channels * width, true)
  v.setUint16(32, format.channels * width, true)
  v.setUint16(34, 8 * width, true)
  let o = 36
  if (extensible) {
    v.setUint16(36, 22, true) // cbSize
    v.setUint16(38, 8 * width, true) // valid bits
    v.setUint32(40, 0, true) // channel mask: unspecified
    v.setUint16(44, tagValue, true)
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46)
    o = 60
  }
  ascii(b, o, 'data')
  v.setUint32(o + 4, dataBytes, true)
  return b
}

const clip = (x: number): number => (x > 1 ? 1 : x < -1 ? -1 : x)

/**
 * Encodes interleaved samples (full scale ±1.0; integer encodings round and clip).
 * For several channels, pass them interleaved (frame by frame).
 */
export const encodeSamples = (samples: Float32Array, encoding: WavFormat.Encoding): Uint8Array => {
  const width = WavFormat.bytesPerSample(encoding)
  const b = new Uint8Array(samples.length * width)
  const v = new DataView(b.buffer)
  for (let i = 0, o = 0; i < samples.length; i++, o += width) {
    const x = samples[i]!
    switch (encoding) {
      case 'u8':
        b[o] = Math.min(255, Math.max(0, Math.round(clip(x) * 128) + 128))
        break
      case 's16':
        v.setInt16(o, Math.min(32767, Math.round(clip(x) * 32768)), true)
        break
      case 's24': {
        const n = Math.min(8388607, Math.round(clip(x) * 8388608))
        b[o] = n & 0xff
        b[o + 1] = (n >> 8) & 0xff
        b[o + 2] = (n >> 16) & 0xff
        break
      }
      case 's32':
        v.setInt32(o, Math.min(2147483647, Math.round(clip(x) * 2147483648)), true)
        break
      case 'f32':
        v.setFloat32(o, x, true)
        break
    }
  }
  return b
}

/** Interleaves channels of equal length. */
export const interleave = (channels: ReadonlyArray<Float32Array>): Float32Array => {
  const n = channels[0]?.length ?? 0
  if (channels.some((c) => c.length !== n)) throw new RangeError('channels differ in length')
  const out = new Float32Array(n * channels.length)
  for (let c = 0; c < channels.length; c++)
    for (let i = 0; i < n; i++) out[i * channels.length + c] = channels[c]![i]!
  return out
}

/** A whole WAV file: mono samples, or one array per channel. */
export const write = (
  samples: Float32Array | ReadonlyArray<Float32Array>,
  options: Options,
): Uint8Array => {
  const channels = samples instanceof Float32Array ? [samples] : samples
  if (channels.length === 0) throw new RangeError('no channels')
  const encoding = options.encoding ?? 's16'
  const data = encodeSamples(channels.length === 1 ? channels[0]! : interleave(channels), encoding)
  const head = header(
    { sampleRate: options.sampleRate, channels: channels.length, encoding },
    data.length,
    options.extensible ?? false,
  )
  const out = new Uint8Array(head.length + data.length + (data.length & 1))
  out.set(head)
  out.set(data, head.length)
  return out
}
