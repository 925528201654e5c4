/**
 * 16-bit little-endian signed mono PCM, as ACS media streaming carries it, and conversions
 * between bytes, `Int16Array` and `Float32Array` (full scale = ±1.0).
 * Byte order is handled explicitly, so results do not depend on the platform's endianness.
 */

/** The sample rates ACS media streaming uses. */
export type StreamRate = 8000 | 16000 | 24000

export const STREAM_RATES: ReadonlyArray<StreamRate> = [8000, 16000, 24000]

/** Duration of one media-streaming frame. */
export const FRAME_MS = 20

/** Bytes per 16-bit mono sample. */
export const BYTES_PER_SAMPLE = 2

export const isStreamRate = (rate: number): rate is StreamRate =>
  rate === 8000 || rate === 16000 || rate === 24000

/** Samples in one 20 ms frame at `rate` (160, 320 or 480). */
export const frameSamples = (rate: StreamRate): number => (rate * FRAME_MS) / 1000

/** Bytes in one 20 ms frame at `rate` (320, 640 or 960). */
export const frameBytes = (rate: StreamRate): number => frameSamples(rate) * BYTES_PER_SAMPLE

/** Decodes 16-bit little-endian samples. A trailing odd byte is an error. */
export const bytesToInt16 = (bytes: Uint8Array): Int16Array => {
  if (bytes.length % 2 !== 0) throw new RangeError('PCM16 byte length must be even')
  const out = new Int16Array(bytes.length / 2)
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    const v = bytes[j]! | (bytes[j + 1]! << 8)
    out[i] = v >= 0x8000 ? v - 0x10000 : v
  }
  return out
}

/** Encodes samples as 16-bit little-endian bytes. */
export const int16ToBytes = (samples: Int16Array): Uint8Array => {
  const out = new Uint8Array(samples.length * 2)
  for (let i = 0, j = 0; i < samples.length; i++, j += 2) {
    const v = samples[i]!
    out[j] = v & 0xff
    out[j + 1] = (v >> 8) & 0xff
  }
  return out
}

/** Scales 16-bit samples to floats in [-1, 1). */
export const int16ToFloat32 = (samples: Int16Array): Float32Array => {
  const out = new Float32Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768
  return out
}

/** Scales floats to 16-bit samples, rounding to nearest and clipping at full scale. */
export const float32ToInt16 = (samples: Float32Array): Int16Array => {
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * 32768)
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v
  }
  return out
}

export const bytesToFloat32 = (bytes: Uint8Array): Float32Array =>
  int16ToFloat32(bytesToInt16(bytes))

export const float32ToBytes = (samples: Float32Array): Uint8Array =>
  int16ToBytes(float32ToInt16(samples))

/**
 * Splits a PCM byte stream into whole 20 ms frames. The last frame is zero-padded when
 * `pad` is true, and dropped otherwise.
 */
export const toFrames = (
  bytes: Uint8Array,
  rate: StreamRate,
  pad = true,
): ReadonlyArray<Uint8Array> => {
  const size = frameBytes(rate)
  const frames: Uint8Array[] = []
  let offset = 0
  for (; offset + size <= bytes.length; offset += size)
    frames.push(bytes.slice(offset, offset + size))
  if (pad && offset < bytes.length) {
    const last = new Uint8Array(size)
    last.set(bytes.subarray(offset))
    frames.push(last)
  }
  return frames
}

/** A streaming framer: feed byte chunks of any size, get whole 20 ms frames back. */
export interface Framer {
  readonly rate: StreamRate
  /** Returns the frames completed by this chunk (possibly none). */
  push(chunk: Uint8Array): ReadonlyArray<Uint8Array>
  /** Bytes held back waiting for the rest of a frame. */
  readonly pending: number
  /** Returns the held-back partial frame zero-padded to a whole frame, if any. */
  flush(): Uint8Array | undefined
}

export const framer = (rate: StreamRate): Framer => {
  const size = frameBytes(rate)
  const partial = new Uint8Array(size)
  let filled = 0
  return {
    rate,
    get pending() {
      return filled
    },
    push(chunk) {
      const frames: Uint8Array[] = []
      let offset = 0
      while (offset < chunk.length) {
        const take = Math.min(size - filled, chunk.length - offset)
        partial.set(chunk.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (filled === size) {
          frames.push(partial.slice())
          filled = 0
        }
      }
      return frames
    },
    flush() {
      if (filled === 0) return undefined
      const last = new Uint8Array(size)
      last.set(partial.subarray(0, filled))
      filled = 0
      return last
    },
  }
}
