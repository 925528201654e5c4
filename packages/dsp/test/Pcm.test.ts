import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Base64, Pcm } from '../src/index.js'

describe('Pcm', () => {
  it('has 20 ms frames of 320, 640 and 960 bytes', () => {
    expect(Pcm.STREAM_RATES.map(Pcm.frameBytes)).toEqual([320, 640, 960])
    expect(Pcm.STREAM_RATES.map(Pcm.frameSamples)).toEqual([160, 320, 480])
  })

  it('decodes little-endian signed 16-bit samples', () => {
    const bytes = Uint8Array.from([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f])
    expect(Array.from(Pcm.bytesToInt16(bytes))).toEqual([1, -1, -32768, 32767])
    expect(() => Pcm.bytesToInt16(Uint8Array.from([1]))).toThrow(RangeError)
  })

  it('round-trips bytes through Int16Array and Float32Array', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (raw) => {
        const bytes = raw.subarray(0, raw.length & ~1)
        expect(Pcm.int16ToBytes(Pcm.bytesToInt16(bytes))).toEqual(bytes)
        expect(Pcm.float32ToBytes(Pcm.bytesToFloat32(bytes))).toEqual(bytes)
      }),
    )
  })

  it('scales floats to 16 bits with rounding and clipping', () => {
    const x = Float32Array.from([0, 0.5, -0.5, 1, -1, 2, -2, 1 / 65536])
    expect(Array.from(Pcm.float32ToInt16(x))).toEqual([
      0, 16384, -16384, 32767, -32768, 32767, -32768, 1,
    ])
  })

  it('frames a byte stream the same whichever way it is chunked', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Pcm.STREAM_RATES),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        (rate, bytes, cuts) => {
          const framer = Pcm.framer(rate)
          const frames: Uint8Array[] = []
          let offset = 0
          for (let i = 0; offset < bytes.length; i++) {
            const size = cuts[i % cuts.length]!
            frames.push(...framer.push(bytes.subarray(offset, offset + size)))
            offset += size
          }
          const last = framer.flush()
          if (last) frames.push(last)
          expect(frames).toEqual(Pcm.toFrames(bytes, rate))
          for (const f of frames) expect(f.length).toBe(Pcm.frameBytes(rate))
        },
      ),
    )
  })

  it('carries a frame through base64 as ACS AudioData does', () => {
    const frame = Pcm.float32ToBytes(
      Float32Array.from({ length: 160 }, (_, i) => Math.sin(i / 5) / 2),
    )
    const text = Base64.encode(frame)
    expect(text).toBe(Buffer.from(frame).toString('base64'))
    expect(Base64.decode(text)).toEqual(frame)
  })
})
